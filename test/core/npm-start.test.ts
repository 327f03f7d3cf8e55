// `npm start` as a supervisor runs it: a SIGTERM (or a SIGKILL) to the npm process must not leave
// the agent running with its ports bound. The real npm, the real package.json script.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/agent.js';
import { freePort } from '../helpers/ports.js';
import { until } from '../helpers/wait.js';

const children: ChildProcess[] = [];
const pids: number[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const p of pids.splice(0)) if (alive(p)) process.kill(p, 'SIGKILL');
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Can we bind the port ourselves (nobody holds it any more)? */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** The agent under npm: the descendant of `pid` that is node running telemd.js (not `sh -c`), from /proc. */
function agentUnder(pid: number): number | undefined {
  let kids: number[];
  try {
    kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return undefined;
  }
  for (const k of kids) {
    try {
      const argv = readFileSync(`/proc/${k}/cmdline`, 'utf8').split('\0');
      if (argv[0]!.endsWith('node') && argv.some((a) => a.endsWith('telemd.js'))) return k;
    } catch {
      continue;
    }
    const deeper = agentUnder(k);
    if (deeper) return deeper;
  }
  return undefined;
}

/** `npm start` with a second config that moves every port of the default config to a free one. */
async function npmStart(): Promise<{ npm: ChildProcess; agent: number; ports: number[]; dir: string; out: () => string }> {
  const dir = mkdtempSync(join(tmpdir(), 'telemd-npm-'));
  const [prom, health, self, consolePort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  writeFileSync(
    join(dir, 'ports.yaml'),
    `exporters:\n  prometheus:\n    endpoint: 127.0.0.1:${prom}\nextensions:\n  health_check:\n    endpoint: 127.0.0.1:${health}\n  console:\n    endpoint: 127.0.0.1:${consolePort}\nservice:\n  telemetry:\n    metrics:\n      address: 127.0.0.1:${self}\n`,
  );
  // --ignore-scripts skips `prestart` (the build), which other tests' agents read meanwhile.
  const npm = spawn('npm', ['start', '--ignore-scripts', '--', '--config', join(dir, 'ports.yaml')], {
    cwd: ROOT,
    // The default config keeps file_storage, history and the console token under TELEMD_DATA_DIR.
    env: { ...process.env, TELEMD_DATA_DIR: dir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(npm);
  let out = '';
  npm.stdout!.on('data', (b: Buffer) => (out += String(b)));
  npm.stderr!.on('data', (b: Buffer) => (out += String(b)));
  await until(() => out.includes('pipelines running'), 30_000, `npm start to run the agent; output: ${out.slice(-1000)}`);
  const agent = await until(() => agentUnder(npm.pid!), 5000, 'the agent process under npm');
  pids.push(agent);
  for (const p of [prom, health, self, consolePort]) expect(await portFree(p)).toBe(false);
  return { npm, agent, ports: [prom, health, self, consolePort], dir, out: () => out };
}

describe('npm start', () => {
  it('prints where the console listens and answers PromQL on the history right away (telemd query, as the default config says)', async () => {
    const { npm, ports, dir, out } = await npmStart();
    const consolePort = ports[3]!;
    expect(out()).toContain(`console listening on http://127.0.0.1:${consolePort}`);
    expect(out()).toContain(join(dir, 'console.token'));
    // The CLI finds the console and its token from the same configs (the default and the port overlay).
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, [join(ROOT, 'bin', 'telemd.js'), ...args, '--config', join(ROOT, 'config', 'default.yaml'), '--config', join(dir, 'ports.yaml')], {
        env: { ...process.env, TELEMD_DATA_DIR: dir },
        encoding: 'utf8',
      });
    const query = (...args: string[]) => cli('query', ...args);
    // The first scrape is at start: an instant query and an hour's range answer within seconds.
    const instant = await until(
      () => {
        const r = query('system_memory_usage_bytes{state="used"}');
        return r.status === 0 && /system_memory_usage_bytes\{.*state="used"/.test(r.stdout) ? r.stdout : undefined;
      },
      20_000,
      'telemd query to show the memory series',
    );
    expect(instant).toMatch(/^at \d{4}-/);
    const range = query('system_memory_usage_bytes{state="used"}', '--range', '1h', '--step', '10s');
    expect(range.status, range.stderr).toBe(0);
    expect(range.stdout).toMatch(/^TIME\s+system_memory_usage_bytes/);
    // The stock rules run in the default config: the rules API lists them, telemd alerts answers.
    const alerts = cli('alerts', 'list', '--state', 'all');
    expect(alerts.status, alerts.stderr).toBe(0);
    const token = readFileSync(join(dir, 'console.token'), 'utf8').trim();
    const rules = (await (await fetch(`http://127.0.0.1:${consolePort}/api/v1/rules`, { headers: { authorization: `Bearer ${token}` } })).json()) as { data: { groups: { rules: { name: string }[] }[] } };
    const names = rules.data.groups.flatMap((g) => g.rules.map((r) => r.name));
    expect(names).toEqual(expect.arrayContaining(['HostFilesystemAlmostFull', 'HostMemoryLow', 'HostCpuSaturated', 'TelemdExporterStalled']));
    npm.kill('SIGTERM');
  });

  it('stops the agent and frees its ports when npm gets SIGTERM', async () => {
    const { npm, agent, ports } = await npmStart();
    const exited = new Promise((r) => npm.once('exit', r));
    npm.kill('SIGTERM');
    await exited;
    await until(() => !alive(agent), 15_000, 'the agent to exit');
    for (const p of ports) expect(await portFree(p)).toBe(true);
  });

  it('stops the agent when npm is killed with SIGKILL (nothing forwarded)', async () => {
    const { npm, agent, ports } = await npmStart();
    npm.kill('SIGKILL');
    await until(() => !alive(agent), 15_000, 'the orphaned agent to exit');
    for (const p of ports) expect(await portFree(p)).toBe(true);
  });
});
