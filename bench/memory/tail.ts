// Where telemd's memory goes while tailing (issue 13: 1M lines → file). Runs the real agent on
// filelog → file, drops 1M lines of 107 bytes into the watched folder at once, and prints the
// peak RSS (VmHWM) with the V8 heap figures the agent reports at the end of the run. Node flags
// to compare are given as arguments:
//   npx tsx bench/memory/tail.ts [--lines 1000000] [--bin DIR] [-- --max-semi-space-size=2 ...]
// --bin DIR runs another build (DIR/bin/telemd.js), to compare builds in one session.
// docs/memory.md has the results and what each MiB is for.
import { closeSync, linkSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startAgent, tempDir } from '../../test/helpers/agent.js';

const argv = process.argv.slice(2);
const dash = argv.indexOf('--');
const nodeArgs = dash >= 0 ? argv.slice(dash + 1) : [];
const LINES = argv.includes('--lines') ? Number(argv[argv.indexOf('--lines') + 1]) : 1_000_000;
const BIN = argv.includes('--bin') ? resolve(argv[argv.indexOf('--bin') + 1]!, 'bin', 'telemd.js') : undefined;

function status(pid: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of readFileSync(`/proc/${pid}/status`, 'utf8').matchAll(/^(Vm\w+|Rss\w+):\s+(\d+) kB/gm)) out[m[1]!] = Math.round(Number(m[2]) / 102.4) / 10;
  return out;
}

const dir = tempDir('telemd-bench-mem-');
const input = join(dir, 'input');
const fd = openSync(input, 'w');
let chunk = '';
for (let i = 0; i < LINES; i++) {
  chunk += `${String(i).padStart(9, '0')} ${'x'.repeat(96)}\n`;
  if (chunk.length > 1 << 20) {
    writeSync(fd, chunk);
    chunk = '';
  }
}
writeSync(fd, chunk);
closeSync(fd);
mkdirSync(join(dir, 'watch'));

const agent = await startAgent({
  dir,
  nodeArgs,
  bin: BIN,
  env: process.env.BENCH_ENV ? Object.fromEntries(process.env.BENCH_ENV.split(',').map((kv) => kv.split('=') as [string, string])) : undefined,
  config: `
receivers:
  filelog: { include: ["${dir}/watch/*.log"], start_at: beginning, include_file_name: false }
exporters:
  file: { path: ${dir}/out.jsonl, rotation: { max_megabytes: 100000 } }
service:
  pipelines:
    logs: { receivers: [filelog], exporters: [file] }
`,
});
const pid = agent.proc.pid!;
const idle = status(pid);
const cpu = () => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').slice(readFileSync(`/proc/${pid}/stat`, 'utf8').lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
};
const cpu0 = cpu();
const metrics = async () => (await (await fetch(`http://127.0.0.1:${agent.selfMetricsPort}/metrics`)).text());
const accepted = async () => Number(/^telemd_receiver_accepted_items_total\{[^}]*\} (\d+)/m.exec(await metrics())?.[1] ?? 0);
const t0 = performance.now();
linkSync(input, join(dir, 'watch', 'in.log'));
let peakHeap = 0;
while ((await accepted()) < LINES) {
  const m = /^telemd_process_heap_used_bytes(?:\{[^}]*\})? (\d+)/m.exec(await metrics());
  if (m) peakHeap = Math.max(peakHeap, Number(m[1]));
  await new Promise((r) => setTimeout(r, 50));
}
const seconds = (performance.now() - t0) / 1000;
const end = status(pid);
const cpuSeconds = Math.round((cpu() - cpu0) * 100) / 100;
// With --trace-gc: the largest committed V8 heap any GC reported ("… -> 30.1 (48.0) MB").
let committed = 0;
for (const l of agent.logs) if (l.level === 'raw') for (const m of l.msg.matchAll(/-> [\d.]+ \(([\d.]+)\) MB/g)) committed = Math.max(committed, Number(m[1]));
await agent.stop();
console.log('includes: the whole agent process (filelog → file, fsync on); excludes: nothing (RSS is the kernel\'s count)');
console.log(JSON.stringify({ lines: LINES, bin: BIN ?? 'this tree', nodeArgs, seconds: Math.round(seconds * 100) / 100, cpuSeconds, idleRssMiB: idle.VmRSS, peakRssMiB: end.VmHWM, endRssMiB: end.VmRSS, anonMiB: end.RssAnon, fileMiB: end.RssFile, peakHeapUsedMiB: Math.round(peakHeap / 104857.6) / 10, ...(committed ? { peakHeapCommittedMB: committed } : {}) }));
