// Memory per active series of the history store, in a process of its own (a clean heap):
// heap + typed arrays after a full GC, for N series with one sample, then after an hour at 1 s
// in the head. Run by bench:history; prints one JSON line.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { Tsdb, type AppendSample } from '../../src/tsdb/index.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const N = Number(process.argv[2] ?? 2000);
const SECONDS = Number(process.argv[3] ?? 3600);
const dir = mkdtempSync(join(tmpdir(), 'telemd-bench-mem-'));
const mem = () => {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};
const db = await Tsdb.open({ dir, staleness: { enabled: false, afterMs: 0, minAfterMs: 0 }, blockDurationMs: 3 * 3_600_000 });
const T0 = Math.floor(Date.now() / 10_800_000) * 10_800_000;
// Series shaped like hostmetrics: a byte gauge on a page step, counters with steady increments.
const labels = Array.from({ length: N }, (_, k) => ({ __name__: k % 2 ? 'bench_mem_bytes' : 'bench_mem_ops_total', host: 'h1', device: `dev${k % 50}`, state: `s${Math.floor(k / 50)}` }));
const state = new Float64Array(N).map((_, k) => k * 1e6);
let seed = 1;
const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const batch = (t: number): AppendSample[] =>
  labels.map((l, k) => {
    state[k] += k % 2 ? Math.floor((rnd() - 0.5) * 64) * 4096 : 100 + Math.floor(rnd() * 20);
    return { labels: l, t, v: state[k]!, kind: k % 2 ? 'gauge' : 'counter' };
  });
const base = mem();
await db.append(batch(T0));
const one = mem();
for (let i = 1; i < SECONDS; i++) await db.append(batch(T0 + i * 1000));
const full = mem();
const st = db.stats();
await db.close();
rmSync(dir, { recursive: true, force: true });
console.log(JSON.stringify({ series: N, seconds: SECONDS, perSeriesOne: (one - base) / N, perSeriesFull: (full - base) / N, perSample: (full - one) / (N * (SECONDS - 1)), headSamples: st.headSamples, headBytes: st.headBytes }));
