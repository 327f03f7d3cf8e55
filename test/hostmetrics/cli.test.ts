// A Collector hostmetrics config validates unchanged with the real CLI; mistakes in scraper
// sections and metric toggles are reported with a suggestion and exit code 78.
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempDir } from '../helpers/agent.js';

const collectorConfig = `
receivers:
  hostmetrics:
    collection_interval: 30s
    root_path: /
    scrapers:
      cpu:
        metrics:
          system.cpu.utilization:
            enabled: true
      memory:
        metrics:
          system.memory.utilization:
            enabled: true
      load:
        cpu_average: true
      disk:
        exclude:
          devices: ["^loop\\\\d+$"]
          match_type: regexp
      filesystem:
        exclude_fs_types:
          fs_types: [autofs, binfmt_misc, bpf, cgroup2, configfs, debugfs, devpts, devtmpfs, fusectl, hugetlbfs, iso9660, mqueue, nsfs, overlay, proc, procfs, pstore, rpc_pipefs, securityfs, selinuxfs, squashfs, sysfs, tracefs]
          match_type: strict
        exclude_mount_points:
          mount_points: [/dev/*, /proc/*, /sys/*, /run/k3s/containerd/*, /var/lib/docker/*, /var/lib/kubelet/*, /snap/*]
          match_type: regexp
      network:
      paging:
      processes:
      process:
        mute_process_exe_error: true
        mute_process_io_error: true
        mute_process_user_error: true
        metrics:
          process.threads:
            enabled: true
exporters:
  debug:
service:
  pipelines:
    metrics:
      receivers: [hostmetrics]
      exporters: [debug]
`;

describe('telemd validate with hostmetrics', () => {
  it('accepts a Collector hostmetrics config unchanged', async () => {
    const f = join(tempDir(), 'c.yaml');
    writeFileSync(f, collectorConfig);
    const r = await runCli(['validate', '--config', f]);
    expect(r.stderr + r.stdout).not.toMatch(/error/i);
    expect(r.code).toBe(0);
  });

  it('reports a misspelled scraper and an unknown metric toggle', async () => {
    const f = join(tempDir(), 'c.yaml');
    writeFileSync(f, collectorConfig.replace('      network:\n', '      netwrok:\n').replace('system.cpu.utilization:', 'system.cpu.utilisation:'));
    const r = await runCli(['validate', '--config', f]);
    expect(r.code).toBe(78);
    const out = r.stderr + r.stdout;
    expect(out).toMatch(/netwrok.*did you mean "network"/);
    expect(out).toMatch(/system\.cpu\.utilisation.*did you mean "system\.cpu\.utilization"/);
  });
});
