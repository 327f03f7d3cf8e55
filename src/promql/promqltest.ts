// Runs Prometheus' PromQL test files (promql/testdata/*.test, the 2.42 format): `load`, `clear`,
// `eval instant at`, `eval_ordered`, `eval_fail`. As Prometheus' own runner does, each instant
// case is also evaluated as a range query from t-1m to t+1m at 1m and its middle step compared,
// so range evaluation is held to the same expectations.
import { readFileSync } from 'node:fs';
import { evalInstant, evalRange, type QueryResult } from './engine.js';
import { ParseError } from './errors.js';
import { parseDuration } from './durations.js';
import { formatLabels, labelsKey, type LabelSet } from './labels.js';
import { tokenize } from './lexer.js';
import { MemoryQueryable } from './memory.js';
import { parseExpr } from './parser.js';
import { STALE_NAN } from './queryable.js';

export interface CaseResult {
  readonly line: number;
  readonly expr: string;
  readonly status: 'passed' | 'failed' | 'skipped';
  /** Why it failed or was skipped. */
  readonly reason?: string;
}

export interface FileResult {
  readonly file: string;
  readonly cases: CaseResult[];
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
}

interface Expected {
  readonly labels: LabelSet | undefined;
  readonly value: number;
}

type Command =
  | { kind: 'load'; line: number; intervalMs: number; series: { labels: LabelSet; values: (number | undefined)[] }[] }
  | { kind: 'clear'; line: number }
  | { kind: 'eval'; line: number; expr: string; atMs: number; ordered: boolean; fail: boolean; expected: Expected[]; scalar: boolean };

class TestFileError extends Error {}

const EVAL_RE = /^eval(_ordered|_fail)?\s+instant\s+at\s+(\S+)\s+(.+)$/;

/** Parses a test file into commands; throws with the line number on malformed input. */
export function parseTestFile(text: string): Command[] {
  const lines = text.split('\n');
  const cmds: Command[] = [];
  let i = 0;
  const isBody = (l: string | undefined): boolean => l !== undefined && l.trim() !== '' && !l.trim().startsWith('#') && /^\s/.test(l);
  while (i < lines.length) {
    const raw = lines[i]!;
    const lineNo = i + 1;
    const l = raw.trim();
    i++;
    if (l === '' || l.startsWith('#')) continue;
    if (l === 'clear') {
      cmds.push({ kind: 'clear', line: lineNo });
      continue;
    }
    const load = /^load\s+(\S+)$/.exec(l);
    if (load) {
      const iv = parseDuration(load[1]!);
      if (typeof iv === 'string') throw new TestFileError(`line ${lineNo}: ${iv}`);
      const series: { labels: LabelSet; values: (number | undefined)[] }[] = [];
      while (i < lines.length && (isBody(lines[i]) || lines[i]!.trim().startsWith('#'))) {
        if (!lines[i]!.trim().startsWith('#')) series.push(parseSeriesLine(lines[i]!, i + 1));
        i++;
      }
      cmds.push({ kind: 'load', line: lineNo, intervalMs: iv, series });
      continue;
    }
    const ev = EVAL_RE.exec(l);
    if (ev) {
      const at = parseDuration(ev[2]!);
      if (typeof at === 'string') throw new TestFileError(`line ${lineNo}: ${at}`);
      const expected: Expected[] = [];
      let scalar = false;
      while (i < lines.length && isBody(lines[i])) {
        const body = lines[i]!.trim();
        const num = parseValue(body);
        if (num !== undefined) {
          scalar = true;
          expected.push({ labels: undefined, value: num });
        } else {
          const s = parseSeriesLine(lines[i]!, i + 1);
          if (s.values.length !== 1 || s.values[0] === undefined) throw new TestFileError(`line ${i + 1}: expecting exactly one value in instant evaluation`);
          expected.push({ labels: s.labels, value: s.values[0] });
        }
        i++;
      }
      cmds.push({ kind: 'eval', line: lineNo, expr: ev[3]!, atMs: at, ordered: ev[1] === '_ordered', fail: ev[1] === '_fail', expected, scalar });
      continue;
    }
    throw new TestFileError(`line ${lineNo}: unknown command ${JSON.stringify(l)}`);
  }
  return cmds;
}

const NUM = '[+-]?(?:(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?|[iI][nN][fF]|[nN][aA][nN])';
const NUM_RE = new RegExp(`^${NUM}$`);
const EXPAND_RE = new RegExp(`^(${NUM})(?:([+-])((?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?|[iI][nN][fF]))?x(\\d+)$`);

function parseValue(s: string): number | undefined {
  if (!NUM_RE.test(s)) return undefined;
  const lower = s.toLowerCase();
  if (lower.endsWith('inf')) return lower.startsWith('-') ? -Infinity : Infinity;
  if (lower.endsWith('nan')) return NaN;
  return Number(s);
}

/** `name{l="v"} 1 2+3x4 _ stale` → labels and the expanded values (undefined: omitted). */
function parseSeriesLine(raw: string, lineNo: number): { labels: LabelSet; values: (number | undefined)[] } {
  const line = raw.trim();
  let end = 0;
  while (end < line.length && /[A-Za-z0-9_:]/.test(line[end]!)) end++;
  const name = line.slice(0, end);
  let selector = name;
  if (line[end] === '{') {
    let inStr: string | undefined;
    let k = end;
    for (; k < line.length; k++) {
      const c = line[k]!;
      if (inStr) {
        if (c === '\\') k++;
        else if (c === inStr) inStr = undefined;
      } else if (c === '"' || c === "'" || c === '`') inStr = c;
      else if (c === '}') break;
    }
    selector = line.slice(0, k + 1);
    end = k + 1;
  }
  const labels = Object.create(null) as LabelSet;
  if (name) labels.__name__ = name;
  const braceAt = selector.indexOf('{');
  if (braceAt >= 0) {
    const toks = tokenize(selector.slice(braceAt));
    for (let k = 1; k < toks.length - 2; k += 4) {
      const n = toks[k]!;
      const op = toks[k + 1]!;
      const v = toks[k + 2]!;
      if (n.kind !== 'ident' || op.text !== '=' || v.kind !== 'str') throw new TestFileError(`line ${lineNo}: bad series description ${JSON.stringify(selector)}`);
      if (v.str !== '') labels[n.text] = v.str;
    }
  }
  const values: (number | undefined)[] = [];
  for (const item of line.slice(end).trim().split(/\s+/).filter(Boolean)) {
    if (item === '_') values.push(undefined);
    else if (item === 'stale') values.push(STALE_NAN);
    else if (/^_x\d+$/.test(item)) for (let k = Number(item.slice(2)); k > 0; k--) values.push(undefined);
    else {
      const single = parseValue(item);
      if (single !== undefined) {
        values.push(single);
        continue;
      }
      const m = EXPAND_RE.exec(item);
      if (!m) throw new TestFileError(`line ${lineNo}: bad value ${JSON.stringify(item)}`);
      let v = parseValue(m[1]!)!;
      const delta = m[3] === undefined ? 0 : (m[2] === '-' ? -1 : 1) * parseValue(m[3])!;
      const times = Number(m[4]);
      // As Prometheus' loader: n+1 values, each the previous plus delta.
      for (let k = 0; k <= times; k++) {
        values.push(v);
        v += delta;
      }
    }
  }
  return { labels, values };
}

/** Prometheus' test comparison: relative 1e-6, NaN equals NaN. */
export function almostEqual(a: number, b: number): boolean {
  if (a !== a && b !== b) return true;
  if (a === b) return true;
  const diff = Math.abs(a - b);
  const minNormal = 2.2250738585072014e-308;
  if (a === 0 || b === 0 || diff < minNormal) return diff < 1e-6 * minNormal;
  return diff / (Math.abs(a) + Math.abs(b)) < 1e-6;
}

function compare(got: { labels: LabelSet | undefined; value: number }[] | number, cmd: Extract<Command, { kind: 'eval' }>, ordered: boolean): string | undefined {
  if (typeof got === 'number') {
    if (!cmd.scalar || cmd.expected.length !== 1) return `got scalar ${got}, expected ${cmd.expected.length} series`;
    return almostEqual(cmd.expected[0]!.value, got) ? undefined : `expected scalar ${cmd.expected[0]!.value} but got ${got}`;
  }
  if (cmd.scalar) return `expected a scalar, got a vector of ${got.length}`;
  const want = new Map<string, { pos: number; e: Expected }>();
  cmd.expected.forEach((e, pos) => want.set(labelsKey(e.labels!), { pos, e }));
  const seen = new Set<string>();
  for (let pos = 0; pos < got.length; pos++) {
    const s = got[pos]!;
    const k = labelsKey(s.labels!);
    const w = want.get(k);
    if (!w) return `unexpected metric ${formatLabels(s.labels!)} in result`;
    if (ordered && w.pos !== pos) return `expected metric ${formatLabels(s.labels!)} at position ${w.pos + 1} but was at ${pos + 1}`;
    if (!almostEqual(w.e.value, s.value)) return `expected ${w.e.value} for ${formatLabels(s.labels!)} but got ${s.value}`;
    seen.add(k);
  }
  for (const [k, w] of want) if (!seen.has(k)) return `expected metric ${formatLabels(w.e.labels!)} with ${w.e.value} not found`;
  return undefined;
}

function instantSamples(r: QueryResult): { labels: LabelSet; value: number }[] | number | string {
  switch (r.resultType) {
    case 'scalar': return r.value;
    case 'vector': return r.result.map((s) => ({ labels: Object.assign(Object.create(null) as LabelSet, s.labels), value: s.value }));
    default: return `unexpected ${r.resultType} result`;
  }
}

async function runEval(store: MemoryQueryable, cmd: Extract<Command, { kind: 'eval' }>): Promise<CaseResult> {
  const base = { line: cmd.line, expr: cmd.expr };
  let expr;
  try {
    expr = parseExpr(cmd.expr);
  } catch (err) {
    if (err instanceof ParseError && err.unsupported) return { ...base, status: 'skipped', reason: err.message };
    if (cmd.fail) return { ...base, status: 'passed' };
    return { ...base, status: 'failed', reason: (err as Error).message };
  }
  let res: QueryResult;
  try {
    res = await evalInstant(store, expr, cmd.atMs);
  } catch (err) {
    if (cmd.fail) return { ...base, status: 'passed' };
    return { ...base, status: 'failed', reason: `instant: ${(err as Error).message}` };
  }
  if (cmd.fail) return { ...base, status: 'failed', reason: 'expected an error, got a result' };
  const got = instantSamples(res);
  if (typeof got === 'string') return { ...base, status: 'failed', reason: got };
  const why = compare(got, cmd, cmd.ordered);
  if (why) return { ...base, status: 'failed', reason: `instant: ${why}` };
  // Range mode: the middle of t-1m..t+1m at 1m must give the same.
  let range;
  try {
    range = await evalRange(store, expr, cmd.atMs - 60_000, cmd.atMs + 60_000, 60_000);
  } catch (err) {
    return { ...base, status: 'failed', reason: `range: ${(err as Error).message}` };
  }
  const mid: { labels: LabelSet; value: number }[] = [];
  for (const s of range.result) {
    const k = Array.prototype.indexOf.call(s.t, cmd.atMs);
    if (k >= 0) mid.push({ labels: Object.assign(Object.create(null) as LabelSet, s.labels), value: s.v[k]! });
  }
  const rangeGot = typeof got === 'number' ? (mid[0]?.value ?? NaN) : mid;
  const rwhy = compare(rangeGot, cmd, false);
  if (rwhy) return { ...base, status: 'failed', reason: `range: ${rwhy}` };
  return { ...base, status: 'passed' };
}

/** Runs one test file's commands against a fresh in-memory store. */
export async function runTestText(file: string, text: string): Promise<FileResult> {
  const cases: CaseResult[] = [];
  let store = new MemoryQueryable({ maxSeries: 1_000_000 });
  let cmds: Command[];
  try {
    cmds = parseTestFile(text);
  } catch (err) {
    const reason = err instanceof TestFileError ? err.message : String(err);
    return { file, cases: [{ line: 0, expr: '', status: 'failed', reason }], passed: 0, failed: 1, skipped: 0 };
  }
  for (const cmd of cmds) {
    if (cmd.kind === 'clear') store = new MemoryQueryable({ maxSeries: 1_000_000 });
    else if (cmd.kind === 'load') {
      // A later line for the same series replaces an earlier one, as in Prometheus' loader.
      const bySeries = new Map<string, { labels: LabelSet; values: (number | undefined)[] }>();
      for (const s of cmd.series) bySeries.set(labelsKey(s.labels), s);
      for (const s of bySeries.values()) {
        s.values.forEach((v, k) => {
          if (v !== undefined) store.append(s.labels, k * cmd.intervalMs, v);
        });
      }
    } else cases.push(await runEval(store, cmd));
  }
  const count = (st: CaseResult['status']): number => cases.filter((c) => c.status === st).length;
  return { file, cases, passed: count('passed'), failed: count('failed'), skipped: count('skipped') };
}

export async function runTestFile(path: string): Promise<FileResult> {
  return runTestText(path, readFileSync(path, 'utf8'));
}
