// `npm start` as a supervisor runs it: a SIGTERM (or a SIGKILL) to the npm process must not leave
// the agent running with its ports bound. The real npm, the real package.json script.
import { spawn, type ChildProcess } from 'node:child_process';
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
async function npmStart(): Promise<{ npm: ChildProcess; agent: number; ports: number[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'telemd-npm-'));
  const [prom, health, self] = [await freePort(), await freePort(), await freePort()];
  writeFileSync(
    join(dir, 'ports.yaml'),
    `exporters:\n  prometheus:\n    endpoint: 127.0.0.1:${prom}\nextensions:\n  health_check:\n    endpoint: 127.0.0.1:${health}\nservice:\n  telemetry:\n    metrics:\n      address: 127.0.0.1:${self}\n`,
  );
  // --ignore-scripts skips `prestart` (the build), which other tests' agents read meanwhile.
  const npm = spawn('npm', ['start', '--ignore-scripts', '--', '--config', join(dir, 'ports.yaml')], {
    cwd: ROOT,
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
  for (const p of [prom, health, self]) expect(await portFree(p)).toBe(false);
  return { npm, agent, ports: [prom, health, self] };
}

describe('npm start', () => {
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
