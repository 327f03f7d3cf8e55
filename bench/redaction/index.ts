// npm run bench:redaction — precision/recall per detector on the labelled corpus, then
// throughput of the redactor on corpus lines, on real Loghub lines (if ../shared/datasets is
// present) and through the processor, with a Perl regex redactor on the same lines as a peer.
console.log('includes: precision/recall on the labelled corpus and redactor throughput in this process, with a Perl redactor as peer (its process CPU); excludes: corpus loading, process start-up');
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { evaluate, loadCorpus, type Score } from '../../test/fixtures/redaction/evaluate.js';
import { Redactor } from '../../src/redaction/redactor.js';
import { allBuiltinDetectors } from '../../src/redaction/scanner.js';
import { configSchema } from '../../processors/anonymization/config.js';
import { AnonymizationProcessor } from '../../processors/anonymization/processor.js';
import { ParseContext } from '../../src/config/schema.js';
import { MetricRegistry, SelfTelemetry } from '../../src/telemetry/self.js';
import type { LogRecord, LogsData } from '../../src/pdata/types.js';
import { REALISTIC_FILE, REALISTIC_HELDOUT2_FILE, REALISTIC_HELDOUT3_FILE, REALISTIC_HELDOUT4_FILE, REALISTIC_HELDOUT5_FILE, REALISTIC_HELDOUT_FILE } from '../../test/fixtures/redaction/realistic.js';
import { datasetDir } from '../datasets.js';

const LOGHUB = datasetDir('loghub-2k');
const readJsonl = <T>(f: string): T[] => readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as T);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);

const pct = (x: number) => (x * 100).toFixed(2).padStart(6);
function table(title: string, scores: Score[], total: Score): void {
  console.log(`\n${title}`);
  console.log('detector          precision  recall   tp    fp   fn  exact-bounds');
  for (const s of [...scores, total])
    console.log(
      `${s.kind.padEnd(16)}  ${pct(s.precision)}%   ${pct(s.recall)}%  ${String(s.tp).padStart(4)}  ${String(s.fp).padStart(4)} ${String(s.fn).padStart(4)}  ${s.tp ? pct(s.exact / s.tp) + '%' : '-'}`,
    );
}

/** Runs fn over all lines repeatedly for SECONDS; returns lines per second. */
function rate(lines: string[], fn: (l: string) => unknown): number {
  for (let i = 0; i < Math.min(lines.length, 5000); i++) fn(lines[i]!); // warm-up
  let n = 0;
  const t0 = process.hrtime.bigint();
  let el = 0;
  while (el < SECONDS) {
    for (const l of lines) fn(l);
    n += lines.length;
    el = Number(process.hrtime.bigint() - t0) / 1e9;
  }
  return n / el;
}

const fmt = (x: number) => Math.round(x).toLocaleString('en-US').padStart(11);

function loghubLines(): string[] | undefined {
  if (!existsSync(LOGHUB)) return undefined;
  const out: string[] = [];
  for (const sys of readdirSync(LOGHUB)) {
    const f = join(LOGHUB, sys, `${sys}_2k.log`);
    if (existsSync(f)) out.push(...readFileSync(f, 'utf8').split('\n').filter((l) => l !== ''));
  }
  return out.length ? out : undefined;
}

/** Peer: Perl one-liner masking e-mails, dotted quads and 13-19 digit runs (no checksums). */
function perlRate(lines: string[]): number | undefined {
  if (spawnSync('perl', ['-v']).status !== 0) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'redaction-bench-'));
  try {
    const file = join(dir, 'lines.txt');
    const reps = Math.max(1, Math.ceil(200_000 / lines.length));
    const body = lines.join('\n') + '\n';
    writeFileSync(file, body.repeat(reps));
    const script =
      's/[A-Za-z0-9._%+-]+\\@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}/***/g; s/\\b(?:\\d{1,3}\\.){3}\\d{1,3}\\b/***/g; s/\\b(?:\\d[ -]?){12,18}\\d\\b/***/g;';
    const t0 = process.hrtime.bigint();
    execFileSync('perl', ['-pe', script, file], { stdio: ['ignore', 'ignore', 'inherit'], maxBuffer: 1 << 30 });
    const el = Number(process.hrtime.bigint() - t0) / 1e9;
    return (lines.length * reps) / el;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function logsBatch(texts: string[]): LogsData {
  const recs: LogRecord[] = texts.map((t, i) => ({
    timeUnixNano: 1n,
    observedTimeUnixNano: 1n,
    severityNumber: 9,
    body: t,
    attributes: { 'http.route': '/api/v1/users', 'http.status_code': 200n, 'client.address': `10.0.${i % 255}.${(i * 7) % 255}`, 'log.file.path': '/var/log/app.log' },
  }));
  return { resourceLogs: [{ resource: { attributes: { 'service.name': 'bench', 'host.name': 'bench-1' } }, scopeLogs: [{ scope: { name: 'bench' }, logRecords: recs }] }] };
}

async function processorRate(texts: string[]): Promise<number> {
  const ctx = new ParseContext();
  const cfg = configSchema.parse({}, ctx);
  const set = { id: { type: 'anonymization', name: '', id: 'anonymization' }, kind: 'processor' as const, logger: pino({ level: 'silent' }), telemetry: new SelfTelemetry(new MetricRegistry()) };
  const p = new AnonymizationProcessor(set, cfg, 'logs', { consume: async () => {} });
  const batch = texts.slice(0, 1000);
  let n = 0;
  const t0 = process.hrtime.bigint();
  let el = 0;
  while (el < SECONDS) {
    await p.consume(logsBatch(batch)); // a fresh batch each time: the processor mutates it
    n += batch.length;
    el = Number(process.hrtime.bigint() - t0) / 1e9;
  }
  // Subtract the cost of building the batches so the figure is the processor's own.
  const t1 = process.hrtime.bigint();
  for (let i = 0; i < n / batch.length; i++) logsBatch(batch);
  const build = Number(process.hrtime.bigint() - t1) / 1e9;
  return n / (el - build);
}

/** Hostile inputs: each 1 MB string must take time linear in its length (no regex blow-up). */
function worstCases(r: Redactor): void {
  const N = 1_000_000;
  const cases: [string, string][] = [
    ['digits', '1'.repeat(N)], ['digit groups', '4 '.repeat(N / 2)], ['hex:colons', 'abcd:'.repeat(N / 5)],
    ['@ runs', 'a@b.'.repeat(N / 4)], ['%40 runs', '%40a.bc'.repeat(N / 7)], ['+ runs', '+1 '.repeat(N / 3)],
    ['JWT-like', 'eyJaaaaaa.'.repeat(N / 10)], ['URL user-info', 'x://a:b@'.repeat(N / 8)], ['IBAN-like', 'DE89 '.repeat(N / 5)],
    ['mixed PII', 'user a@b.com 1.2.3.4 +14155552671 '.repeat(N / 35)],
  ];
  const parts: string[] = [];
  for (const [name, text] of cases) {
    const t0 = process.hrtime.bigint();
    r.redactString(text);
    parts.push(`${name} ${(Number(process.hrtime.bigint() - t0) / 1e6).toFixed(0)}ms`);
  }
  console.log(`worst cases, one 1 MB string each: ${parts.join(', ')}`);
}

async function main(): Promise<void> {
  const corpus = loadCorpus();
  const pos = corpus.filter((e) => e.positive).length;
  console.log(`corpus: ${corpus.length} entries (${pos} with personal data, ${corpus.length - pos} negatives), ${corpus.filter((e) => e.origin === 'hand').length} hand-written hard cases, ${corpus.filter((e) => e.origin === 'heldout').length} held-out`);
  const all = evaluate(corpus);
  table('all entries (overlap match, same kind)', all.scores, all.total);
  const hand = evaluate(corpus.filter((e) => e.origin === 'hand'));
  table('hand-written hard cases only', hand.scores, hand.total);
  const held = evaluate(corpus.filter((e) => e.origin === 'heldout'));
  table('held-out cases only (written after the detectors, never tuned on)', held.scores, held.total);
  // The realistic corpus (test/fixtures/redaction/realistic.ts): its development part, and with
  // --heldout the part written alongside but scored only once the detectors were done.
  type Real = { style: string; text: string; id: number; spans: { start: number; end: number; kind: string }[] };
  const parts: [string, string][] = [['realistic corpus, development part (2,000 lines)', REALISTIC_FILE]];
  if (process.argv.includes('--heldout'))
    parts.push(
      ['realistic corpus, held-out part 1 (1,000 lines, other templates and seed)', REALISTIC_HELDOUT_FILE],
      ['realistic corpus, held-out part 2 (1,000 lines, written after part 1 was scored)', REALISTIC_HELDOUT2_FILE],
      ['realistic corpus, held-out part 3 (1,000 lines, other syntaxes, written after part 2 was scored)', REALISTIC_HELDOUT3_FILE],
      ['realistic corpus, held-out part 4 (1,000 lines, other spellings and syntaxes, written after part 3 was scored)', REALISTIC_HELDOUT4_FILE],
      ['realistic corpus, held-out part 5 (1,000 lines, other syntaxes again, written after part 4 was scored)', REALISTIC_HELDOUT5_FILE],
    );
  for (const [title, file] of parts) {
    const real = readJsonl<Real>(file);
    const ev = evaluate(real);
    table(title, ev.scores, ev.total);
    const styles = [...new Set(real.map((e) => e.style))].sort();
    console.log(`  by style: ${styles.map((st) => { const t = evaluate(real.filter((e) => e.style === st)).total; return `${st} P ${pct(t.precision).trim()}% R ${pct(t.recall).trim()}%`; }).join(', ')}`);
    for (const m of ev.misses.slice(0, 15)) console.log(`  ${m.type} ${m.kind.padEnd(15)} ${JSON.stringify(m.span)}  in  ${JSON.stringify(m.text.slice(0, 100))}`);
  }
  if (all.misses.length) {
    console.log('\nmisses (fn = missed personal data, fp = false alarm):');
    for (const m of all.misses.slice(0, 40)) console.log(`  ${m.type} ${m.kind.padEnd(15)} ${JSON.stringify(m.span)}  in  ${JSON.stringify(m.text.slice(0, 90))}`);
  }

  const r = new Redactor({ detectors: allBuiltinDetectors().map((spec) => ({ spec, action: 'mask' as const })), mask: '***' });
  const texts = corpus.map((e) => e.text);
  const clean = corpus.filter((e) => !e.positive).map((e) => e.text);
  console.log(`\nthroughput, one core, ${SECONDS}s per figure (load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}, ${process.version})`);
  const corpusRate = rate(texts, (l) => r.redactString(l));
  console.log(`redactString, corpus lines (50% with personal data): ${fmt(corpusRate)} lines/s`);
  console.log(`redactString, corpus negatives only:                ${fmt(rate(clean, (l) => r.redactString(l)))} lines/s`);
  const lh = loghubLines();
  let lhRate: number | undefined;
  if (lh) {
    lhRate = rate(lh, (l) => r.redactString(l));
    console.log(`redactString, Loghub-2k real lines (${lh.length}):         ${fmt(lhRate)} lines/s`);
    const counts = new Map<string, number>();
    for (const l of lh) for (const m of r.scanner.scan(l)) counts.set(r.names[m.det]!, (counts.get(r.names[m.det]!) ?? 0) + 1);
    console.log(`  detections in Loghub-2k (unlabelled): ${JSON.stringify(Object.fromEntries(counts))}`);
  } else console.log('Loghub-2k: ../shared/datasets absent, skipped');
  worstCases(r);
  const procRate = await processorRate(texts);
  console.log(`processor (logs, body + 4 attributes + resource):  ${fmt(procRate)} records/s`);

  const peer = perlRate(texts);
  if (peer) {
    console.log(`peer: perl -pe, 3 regexes (no checksums), corpus:   ${fmt(peer)} lines/s (incl. process start and I/O)`);
    console.log(`ratio telemd/perl on corpus lines: ${(corpusRate / peer).toFixed(2)}x`);
    if (lh) {
      const peerLh = perlRate(lh);
      if (peerLh && lhRate) console.log(`ratio telemd/perl on Loghub lines: ${(lhRate / peerLh).toFixed(2)}x (perl ${fmt(peerLh)} lines/s)`);
    }
  } else console.log('peer: perl not found, skipped');
}

await main();
