// Loghub 2k grouping accuracy of the logpattern processor's miner (src/analysis/drain.ts), one
// parameter set for all systems. Usage: npm run bench:loghub -- --data ../shared/datasets/loghub-2k [--out DIR]
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadavg } from 'node:os';
import pino from 'pino';
import { TemplateMiner } from '../../src/analysis/drain.js';
import { factory } from '../../processors/logpattern/index.js';
import { configSchema } from '../../processors/logpattern/config.js';
import { ParseContext } from '../../src/config/schema.js';
import { parseComponentId } from '../../src/component/component.js';
import { consumerOf } from '../../src/component/consumer.js';
import { MetricRegistry, SelfTelemetry } from '../../src/telemetry/self.js';
import type { LogsData } from '../../src/pdata/types.js';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const dataDir = resolve(arg('--data') ?? '../shared/datasets/loghub-2k');
const outDir = arg('--out');
if (!existsSync(dataDir)) {
  console.log(`bench:loghub skipped: ${dataDir} is absent`);
  process.exit(0);
}

/** RFC 4180 rows (quoted fields may hold commas, quotes and newlines). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let f = '';
  let q = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (q) {
      if (c === '"' && text[i + 1] === '"') (f += '"'), i++;
      else if (c === '"') q = false;
      else f += c;
    } else if (c === '"') q = true;
    else if (c === ',') row.push(f), (f = '');
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(f), rows.push(row), (row = []), (f = '');
    } else f += c;
  }
  if (f || row.length) row.push(f), rows.push(row);
  return rows;
}

/** Share of lines whose predicted group has exactly the lines of their true group. */
function groupingAccuracy(pred: string[], truth: string[]): number {
  const trueSize = new Map<string, number>();
  for (const t of truth) trueSize.set(t, (trueSize.get(t) ?? 0) + 1);
  const groups = new Map<string, number[]>();
  for (let i = 0; i < pred.length; i++) {
    const g = groups.get(pred[i]!) ?? [];
    g.push(i);
    groups.set(pred[i]!, g);
  }
  let ok = 0;
  for (const g of groups.values()) {
    const t = truth[g[0]!]!;
    if (g.every((i) => truth[i] === t) && trueSize.get(t) === g.length) ok += g.length;
  }
  return ok / truth.length;
}

/** Mines `lines`; `ms` is wall time, `cpuMs` this process's CPU time (fair on a busy box). */
function run(lines: string[]): { ids: string[]; ms: number; cpuMs: number } {
  const m = new TemplateMiner();
  const ids = new Array<string>(lines.length);
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (let i = 0; i < lines.length; i++) ids[i] = m.add(lines[i]!).cluster.id;
  const c = process.cpuUsage(c0);
  return { ids, ms: performance.now() - t0, cpuMs: (c.user + c.system) / 1000 };
}

const drain: Record<string, number> = {
  HDFS: 0.998, Hadoop: 0.948, Spark: 0.92, Zookeeper: 0.967, BGL: 0.963, HPC: 0.887, Linux: 0.69, Apache: 1.0,
};
const systems = readdirSync(dataDir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
let sumC = 0;
let sumR = 0;
let sumD = 0;
let totalLines = 0;
let totalMs = 0;
let totalCpuMs = 0;
const allContent: string[] = [];
console.log('system      content   raw    Drain(published)');
for (const sys of systems) {
  const rows = parseCsv(readFileSync(join(dataDir, sys, `${sys}_2k.log_structured.csv`), 'utf8'));
  const h = rows[0]!;
  const ci = h.indexOf('Content');
  const ei = h.indexOf('EventId');
  const li = h.indexOf('LineId');
  const data = rows.slice(1).filter((r) => r.length === h.length);
  const truth = data.map((r) => r[ei]!);
  const content = run(data.map((r) => r[ci]!));
  const rawLines = readFileSync(join(dataDir, sys, `${sys}_2k.log`), 'utf8').split('\n').filter((l, i, a) => l || i < a.length - 1);
  const raw = run(rawLines.slice(0, truth.length));
  // Throughput is timed on repeated passes so that JIT warm-up does not dominate 2k lines.
  const reps = 10;
  for (let k = 0; k < reps; k++) {
    const r = run(data.map((x) => x[ci]!));
    totalMs += r.ms;
    totalCpuMs += r.cpuMs;
  }
  totalLines += truth.length * reps;
  const accC = groupingAccuracy(content.ids, truth);
  const accR = rawLines.length >= truth.length ? groupingAccuracy(raw.ids, truth) : NaN;
  sumC += accC;
  sumR += accR;
  sumD += drain[sys] ?? NaN;
  allContent.push(...data.map((r) => r[ci]!));
  console.log(`${sys.padEnd(10)} ${accC.toFixed(3).padStart(8)} ${accR.toFixed(3).padStart(6)} ${(drain[sys] ?? NaN).toFixed(3).padStart(8)}`);
  if (outDir) {
    mkdirSync(outDir, { recursive: true });
    const body = content.ids.map((id, i) => `${data[i]![li]},${id}`).join('\n');
    writeFileSync(join(outDir, `${sys}.csv`), `LineId,template_id\n${body}\n`);
  }
}
/** Lines/s through the whole logpattern processor (batches of 1000 records, tags set). */
async function processorRate(lines: string[]): Promise<number> {
  const set = { id: parseComponentId('logpattern')!, kind: 'processor' as const, logger: pino({ level: 'silent' }), telemetry: new SelfTelemetry(new MetricRegistry()) };
  const p = factory.create(set, configSchema.parse({}, new ParseContext()), 'logs', consumerOf<LogsData>(() => {}));
  const batches: LogsData[] = [];
  for (let i = 0; i < lines.length; i += 1000)
    batches.push({ resourceLogs: [{ resource: { attributes: {} }, scopeLogs: [{ scope: { name: 'b' }, logRecords: lines.slice(i, i + 1000).map((body) => ({ timeUnixNano: 0n, observedTimeUnixNano: 0n, severityNumber: 9, body, attributes: {} })) }] }] });
  const c0 = process.cpuUsage();
  for (const b of batches) await p.consume(b);
  const c = process.cpuUsage(c0);
  return lines.length / ((c.user + c.system) / 1e6);
}
const n = systems.length;
console.log(`${'average'.padEnd(10)} ${(sumC / n).toFixed(3).padStart(8)} ${(sumR / n).toFixed(3).padStart(6)} ${(sumD / n).toFixed(3).padStart(8)}   (content / Drain: ${(sumC / sumD).toFixed(3)}x)`);
const rep = Array.from({ length: 10 }, () => allContent).flat();
console.log(`logpattern processor: ${((await processorRate(rep)) / 1e3).toFixed(0)}k lines per CPU-second (${rep.length} records in batches of 1000, all systems mixed)`);
console.log(
  `miner: ${(totalLines / totalCpuMs).toFixed(0)}k lines per CPU-second, ${(totalLines / totalMs).toFixed(0)}k lines/s wall (one thread, Content column), load ${loadavg().map((x) => x.toFixed(2)).join(' ')}`,
);
