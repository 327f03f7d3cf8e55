// What taps cost the hot path. The chain the graph builds (receiver wrapper, two processors'
// in/out wrappers, a switch between them) is timed per batch, side by side with:
//   peer      — the same counting wrappers written without the tap check (as before taps),
//   unbound   — the agent's wrappers, no tap registry at all,
//   no taps   — the agent's wrappers, a registry bound and nothing attached (the normal agent),
//   elsewhere — a tap attached to another component (this chain's points stay empty),
//   tapped    — a tap on a processor's output, 10 copies/s: what a watcher costs.
// The untapped cost is one length test per point.
// `npm run bench:tap [-- --batches N]`
console.log("includes: the per-batch cost of the graph's counting wrappers with and without taps in this process; excludes: receivers, exporters, I/O");
import { argv } from 'node:process';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Consumer } from '../../src/component/consumer.js';
import { countItems } from '../../src/pdata/count.js';
import type { LogsData } from '../../src/pdata/types.js';
import { observeProcessorInput, observeProcessorOutput, observeReceiver } from '../../src/service/observe.js';
import { Switch } from '../../src/service/switch.js';
import { bindTaps, TapRegistry } from '../../src/service/tap.js';
import { MetricRegistry, SelfTelemetry } from '../../src/telemetry/self.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const i = argv.indexOf('--batches');
const BATCHES = i > 0 ? Number(argv[i + 1]) : 1_000_000;
const TRIALS = 5;

function batch(): LogsData {
  const logRecords = Array.from({ length: 100 }, (_, k) => ({ timeUnixNano: BigInt(k), observedTimeUnixNano: 0n, severityNumber: 9, body: `line ${k}`, attributes: { k: BigInt(k) } }));
  return { resourceLogs: [{ resource: { attributes: { 'host.name': 'h' } }, scopeLogs: [{ scope: { name: 'b' }, logRecords }] }] };
}

const sink: Consumer<LogsData> = { consume: () => Promise.resolve() };
const kinds = ['peer', 'unbound', 'no taps', 'elsewhere', 'tapped'] as const;

/** The wrapped chain the graph builds: receiver → processor a in/out → switch → processor b in/out → sink. */
function wrapped(registry: MetricRegistry): Consumer<LogsData> {
  const p = (id: string) => new SelfTelemetry(registry, { processor: id, pipeline: 'logs' });
  const proc = (id: string, next: Consumer<LogsData>) => observeProcessorInput(p(id), 'logs', observeProcessorOutput(p(id), 'logs', next));
  const sw = new Switch<LogsData>(proc('b', sink), 'switch');
  return observeReceiver(new SelfTelemetry(registry, { receiver: 'r' }), 'logs', proc('a', sw));
}

/** The same chain with the wrappers' counting but no tap code: the peer. */
function peer(): Consumer<LogsData> {
  const registry = new MetricRegistry();
  const count = (name: string, next: Consumer<LogsData>): Consumer<LogsData> => {
    const c = registry.counter(name, 'peer', { signal: 'logs' });
    return { consume: (d) => (c.add(countItems('logs', d)), next.consume(d)) };
  };
  const proc = (id: string, next: Consumer<LogsData>) => count(`in_${id}`, count(`out_${id}`, next));
  const sw = new Switch<LogsData>(proc('b', sink), 'switch');
  const rec = registry.counter('rec', 'peer', { signal: 'logs' });
  const head = proc('a', sw);
  return { consume: (d) => head.consume(d).then(() => rec.add(countItems('logs', d))) };
}

function setup(kind: (typeof kinds)[number]): Consumer<LogsData> {
  if (kind === 'peer') return peer();
  const registry = new MetricRegistry();
  if (kind === 'unbound') return wrapped(registry);
  const taps = new TapRegistry(() => [{ id: 'logs', signal: 'logs', receivers: ['r'], processors: ['a', 'b'], exporters: ['e'] }], () => true);
  bindTaps(registry, taps);
  const c = wrapped(registry);
  if (kind === 'elsewhere') taps.attach({ kind: 'receiver', id: 'other', direction: 'out' });
  if (kind === 'tapped') {
    const t = taps.attach({ kind: 'processor', id: 'a', direction: 'out' }, { maxBatchesPerSecond: 10, capacity: 16 });
    setInterval(() => t.take(), 50).unref();
  }
  return c;
}

async function time(c: Consumer<LogsData>, b: LogsData): Promise<number> {
  gc();
  const t0 = process.hrtime.bigint();
  // Acknowledgements are awaited in groups, as a receiver with requests in flight does.
  for (let n = 0; n < BATCHES; n += 1000) {
    const ps: Promise<void>[] = [];
    for (let k = 0; k < 1000; k++) ps.push(c.consume(b));
    await Promise.all(ps);
  }
  return Number(process.hrtime.bigint() - t0) / BATCHES;
}

const b = batch();
const chains = Object.fromEntries(kinds.map((k) => [k, setup(k)])) as Record<(typeof kinds)[number], Consumer<LogsData>>;
const best: Record<string, number> = {};
for (let t = 0; t < TRIALS; t++)
  for (const k of kinds) {
    const ns = await time(chains[k], b);
    best[k] = Math.min(best[k] ?? Infinity, ns);
  }
console.log(`bench:tap — ${BATCHES.toLocaleString('en')} batches of 100 log records through the wrappers of a receiver and 2 processors, best of ${TRIALS} trials`);
console.log('chain        ns/batch   vs peer   vs no taps   (receiver + 2 processors: 5 tap points)');
for (const k of kinds)
  console.log(`${k.padEnd(12)} ${best[k]!.toFixed(1).padStart(8)}   ${(best[k]! / best.peer!).toFixed(2).padStart(6)}x   ${(best[k]! / best['no taps']!).toFixed(2).padStart(6)}x`);
