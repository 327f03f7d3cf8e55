import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/agent.js';
import { FOUR_MISTAKES } from './four-mistakes.js';

describe('telemd CLI', () => {
  it('validate lists every error with file:line:col and exits 78, without a stack trace', async () => {
    const dir = tempDir();
    const f = join(dir, 'bad.yaml');
    writeFileSync(f, FOUR_MISTAKES);
    const r = await runCli(['validate', '--config', f]);
    expect(r.code).toBe(78);
    const lines = r.stderr.trim().split('\n');
    expect(lines.filter((l) => l.startsWith(`${f}:`))).toHaveLength(4);
    expect(r.stderr).toContain(`${f}:3:5:`);
    expect(r.stderr).toContain('did you mean "collection_interval"?');
    expect(r.stderr).toContain(`${f}:4:3: unknown receiver type "hostmetricz"; did you mean "hostmetrics"?`);
    expect(r.stderr).toContain(`${f}:7:14:`);
    expect(r.stderr).toContain(`${f}:15:26:`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('validate reports a YAML syntax error with position and exits 78', async () => {
    const f = join(tempDir(), 'syntax.yaml');
    writeFileSync(f, 'receivers:\n  hostmetrics:\n   collection_interval: 10s\n  - oops\n');
    const r = await runCli(['validate', '--config', f]);
    expect(r.code).toBe(78);
    expect(r.stderr).toMatch(new RegExp(`${f}:\\d+:\\d+: YAML syntax error`));
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('validate accepts the embedded default', async () => {
    const r = await runCli(['validate', '--config', 'config/default.yaml']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('run refuses an invalid config with exit 78', async () => {
    const f = join(tempDir(), 'bad.yaml');
    writeFileSync(f, 'receivers:\n  nope:\n');
    const r = await runCli(['run', '--config', f]);
    expect(r.code).toBe(78);
    expect(r.stderr).toMatch(/unknown receiver type "nope"/);
  });

  it('components lists every type with a description', async () => {
    const r = await runCli(['components']);
    expect(r.code).toBe(0);
    for (const t of ['hostmetrics', 'batch', 'file', 'debug', 'prometheus', 'health_check', 'file_storage']) {
      expect(r.stdout).toMatch(new RegExp(`^  ${t}\\s+\\S.*`, 'm'));
    }
  });

  it('print-config merges files, applies --set and fills defaults', async () => {
    const dir = tempDir();
    const a = join(dir, 'a.yaml');
    const b = join(dir, 'b.yaml');
    writeFileSync(a, 'receivers:\n  hostmetrics:\n    scrapers:\n      cpu:\nexporters:\n  debug:\nservice:\n  pipelines:\n    metrics:\n      receivers: [hostmetrics]\n      exporters: [debug]\n');
    writeFileSync(b, 'processors:\n  batch:\nservice:\n  pipelines:\n    metrics:\n      processors: [batch]\n');
    const r = await runCli(['print-config', '--config', a, '--config', b, '--set', 'processors::batch::timeout=2s']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/batch:\n\s+send_batch_size: 8192\n\s+timeout: 2s/);
    expect(r.stdout).toMatch(/processors:\n\s+- batch/);
  });

  it('prints its version', async () => {
    const r = await runCli(['--version']);
    expect(r.stdout).toMatch(/^telemd \d+\.\d+\.\d+/);
  });
});
