// The agent's steady cost on the embedded default config: CPU share of one core and RSS over a
// window (default 120 s after a 15 s warm-up). Usage: npm run bench:idle [-- --seconds N]
console.log('includes: the whole agent process on the embedded default config (hostmetrics 10 s -> batch -> file + prometheus + history, console listening), CPU-seconds from /proc/<pid>/stat over the window and RSS; excludes: the first 15 s (start-up)');
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { NODE_FLAGS } from '../../src/cli/unit.js';

const root = resolve(import.meta.dirname, '..', '..');
const arg = process.argv.indexOf('--seconds');
const seconds = arg > 0 ? Number(process.argv[arg + 1]) : 120;

const freePort = () =>
  new Promise<number>((res) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => res(p));
    });
  });

function cpuTicks(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(f[11]) + Number(f[12]); // utime + stime
}
const rssKiB = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const dir = mkdtempSync(join(tmpdir(), 'telemd-idle-'));
let config = readFileSync(join(root, 'config', 'default.yaml'), 'utf8');
for (const p of ['9464', '13133', '13380', '8888']) config = config.replaceAll(`127.0.0.1:${p}`, `127.0.0.1:${await freePort()}`);
const cfgPath = join(dir, 'config.yaml');
(await import('node:fs')).writeFileSync(cfgPath, config);
// The same node flags as `npm start` and the systemd unit.
const agent = spawn(process.execPath, [...NODE_FLAGS.split(' '), join(root, 'bin', 'telemd.js'), 'run', '--config', cfgPath], {
  cwd: dir,
  env: { ...process.env, TELEMD_DATA_DIR: dir },
  stdio: 'ignore',
});
await sleep(15_000);
const hz = 100; // USER_HZ on Linux
const t0 = cpuTicks(agent.pid!);
const s0 = performance.now();
let peak = 0;
for (let i = 0; i < seconds; i++) {
  await sleep(1000);
  peak = Math.max(peak, rssKiB(agent.pid!));
}
const t1 = cpuTicks(agent.pid!);
const wall = (performance.now() - s0) / 1000;
const rss = rssKiB(agent.pid!);
agent.kill('SIGTERM');
const share = ((t1 - t0) / hz / wall) * 100;
const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
console.log(`telemd default config (hostmetrics 10s -> batch -> file + prometheus + history, console), ${wall.toFixed(0)} s window`);
console.log(`  CPU: ${((t1 - t0) / hz).toFixed(2)} s = ${share.toFixed(3)}% of one core (goal < 1%)`);
console.log(`  RSS: ${(rss / 1024).toFixed(1)} MiB at the end, peak ${(peak / 1024).toFixed(1)} MiB`);
console.log(`  load average: ${load}`);
