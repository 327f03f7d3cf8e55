// Prometheus rule files (rulefmt), unchanged: `groups: [{name, interval, limit, query_offset,
// rules: [{alert|record, expr, for, keep_firing_for, labels, annotations}]}]`, validated as
// Prometheus 2.42 validates them (same messages), with every error at its file:line:col — for
// PromQL errors, the position inside the file of the offending part of the expression.
import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node as YamlNode } from 'yaml';
import { parseExpr } from '../promql/parser.js';
import { ParseError } from '../promql/errors.js';
import { parseDuration } from '../promql/durations.js';
import { LABEL_NAME_RE, METRIC_NAME_RE } from '../promql/labels.js';
import type { Expr } from '../promql/ast.js';
import { parseAlertTemplate, TemplateError, type Template } from './template.js';

export type RuleKind = 'alert' | 'record';

/** Where a rule or group came from: shown in the API and in messages. */
export interface Origin {
  /** A rule file, `telemd:stock`, the config file (inline), or `provider:<id>` (the slo connector). */
  file: string;
  line?: number;
  col?: number;
}

export interface RuleSpec {
  kind: RuleKind;
  /** The alert name or the recorded metric name. */
  name: string;
  expr: string;
  /** Parsed once; evaluated every interval. */
  ast: Expr;
  forMs: number;
  keepFiringForMs: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** Parsed label/annotation templates (alerting rules only), by name. */
  labelTemplates: Map<string, Template>;
  annotationTemplates: Map<string, Template>;
  origin: Origin;
}

export interface GroupSpec {
  name: string;
  /** Undefined: the connector's evaluation_interval. */
  intervalMs?: number;
  /** Most alerts (or series) per rule; 0 = no limit (Prometheus' `limit`). */
  limit: number;
  /** Evaluate this far in the past (Prometheus' `query_offset`). */
  queryOffsetMs: number;
  rules: RuleSpec[];
  origin: Origin;
}

export interface RuleIssue {
  /** Path inside the rules value (`[0, 'rules', 2, 'expr']`), for config-embedded rules. */
  path: (string | number)[];
  message: string;
  /** The exact position, when the text is known (rule files). */
  loc?: { line: number; col: number };
  atKey?: boolean;
}

type Path = (string | number)[];

/** Locates a path (and an offset inside a scalar's value) in the source, when known. */
export interface Locator {
  at(path: Path, atKey?: boolean): { line: number; col: number } | undefined;
  inValue(path: Path, offset: number): { line: number; col: number } | undefined;
}

const GROUP_KEYS = ['name', 'interval', 'limit', 'query_offset', 'rules'];
const RULE_KEYS = ['record', 'alert', 'expr', 'for', 'keep_firing_for', 'labels', 'annotations'];

function typeName(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a map';
  return `${typeof v} ${JSON.stringify(v)}`;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** YAML scalars as Go's yaml.v3 reads them into a string field. */
function scalarString(v: unknown): string | undefined {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

class Validator {
  readonly issues: RuleIssue[] = [];
  constructor(
    private readonly where: Locator | undefined,
    private readonly origin: string,
  ) {}

  issue(path: Path, message: string, atKey = false): void {
    this.issues.push({ path, message, loc: this.where?.at(path, atKey), atKey });
  }

  str(obj: Record<string, unknown>, key: string, path: Path): string {
    const v = obj[key];
    const s = scalarString(v);
    if (s === undefined) {
      this.issue([...path, key], `${key}: expected a string, got ${typeName(v)}`);
      return '';
    }
    return s;
  }

  duration(obj: Record<string, unknown>, key: string, path: Path): number | undefined {
    const v = obj[key];
    if (v === undefined || v === null) return undefined;
    const s = scalarString(v);
    const ms = s === undefined ? 'not a valid duration string' : parseDuration(s);
    if (typeof ms === 'string') {
      this.issue([...path, key], `${key}: ${ms === 'not a valid duration string' ? `not a valid duration string: ${JSON.stringify(s ?? typeName(v))}` : ms}`);
      return undefined;
    }
    return ms;
  }

  stringMap(obj: Record<string, unknown>, key: string, path: Path): Record<string, string> {
    const v = obj[key];
    if (v === undefined || v === null) return {};
    if (!isObj(v)) {
      this.issue([...path, key], `${key}: expected a map, got ${typeName(v)}`);
      return {};
    }
    const out: Record<string, string> = {};
    for (const [k, x] of Object.entries(v)) {
      const s = scalarString(x);
      if (s === undefined) this.issue([...path, key, k], `${key}.${k}: expected a string, got ${typeName(x)}`);
      else out[k] = s;
    }
    return out;
  }

  unknownKeys(obj: Record<string, unknown>, known: readonly string[], path: Path, what: string): void {
    for (const k of Object.keys(obj))
      if (!known.includes(k)) this.issue([...path, k], `field ${k} not found in type ${what} (known fields: ${known.join(', ')})`, true);
  }

  groups(raw: unknown, path: Path): GroupSpec[] {
    if (!Array.isArray(raw)) {
      this.issue(path, `groups: expected a list, got ${typeName(raw)}`);
      return [];
    }
    const seen = new Set<string>();
    const out: GroupSpec[] = [];
    raw.forEach((g, j) => {
      const gp = [...path, j];
      if (!isObj(g)) {
        this.issue(gp, `group ${j + 1}: expected a map, got ${typeName(g)}`);
        return;
      }
      const spec = this.group(g, gp, seen);
      if (spec) out.push(spec);
    });
    return out;
  }

  group(g: Record<string, unknown>, gp: Path, seen: Set<string>): GroupSpec | undefined {
    this.unknownKeys(g, GROUP_KEYS, gp, 'rulefmt.RuleGroup');
    const name = this.str(g, 'name', gp);
    if (name === '') this.issue(gp, 'Groupname must not be empty');
    else if (seen.has(name)) this.issue(gp, `groupname: "${name}" is repeated in the same file`);
    seen.add(name);
    const intervalMs = this.duration(g, 'interval', gp);
    if (intervalMs === 0) this.issue([...gp, 'interval'], 'interval: must be greater than 0');
    const queryOffsetMs = this.duration(g, 'query_offset', gp) ?? 0;
    let limit = 0;
    if (g.limit !== undefined && g.limit !== null) {
      if (typeof g.limit !== 'number' || !Number.isInteger(g.limit) || g.limit < 0) this.issue([...gp, 'limit'], `limit: expected a whole number >= 0, got ${typeName(g.limit)}`);
      else limit = g.limit;
    }
    const rules: RuleSpec[] = [];
    const rr = g.rules;
    if (rr !== undefined && rr !== null && !Array.isArray(rr)) this.issue([...gp, 'rules'], `rules: expected a list, got ${typeName(rr)}`);
    if (Array.isArray(rr))
      rr.forEach((r, i) => {
        const rp = [...gp, 'rules', i];
        if (!isObj(r)) {
          this.issue(rp, `group "${name}", rule ${i + 1}: expected a map, got ${typeName(r)}`);
          return;
        }
        const spec = this.rule(r, rp, name, i);
        if (spec) rules.push(spec);
      });
    const loc = this.where?.at(gp);
    return { name, intervalMs: intervalMs || undefined, limit, queryOffsetMs, rules, origin: { file: this.origin, ...loc } };
  }

  rule(r: Record<string, unknown>, rp: Path, group: string, i: number): RuleSpec | undefined {
    const before = this.issues.length;
    const record = r.record === undefined ? '' : this.str(r, 'record', rp);
    const alert = r.alert === undefined ? '' : this.str(r, 'alert', rp);
    const ruleName = alert !== '' ? alert : record;
    const prefix = `group "${group}", rule ${i + 1}, "${ruleName}": `;
    const fail = (path: Path, msg: string, atKey = false) => this.issue(path, prefix + msg, atKey);
    // Unknown fields first: yaml.v3 refuses them before anything else is checked.
    for (const k of Object.keys(r)) if (!RULE_KEYS.includes(k)) fail([...rp, k], `field ${k} not found in type rulefmt.RuleNode`, true);
    if (record !== '' && alert !== '') fail([...rp, 'record'], "only one of 'record' and 'alert' must be set");
    if (record === '' && alert === '') fail([...rp, r.alert !== undefined ? 'alert' : 'record'], "one of 'record' or 'alert' must be set");
    const expr = r.expr === undefined ? '' : this.str(r, 'expr', rp);
    let ast: Expr | undefined;
    if (expr === '') fail(r.expr === undefined ? rp : [...rp, 'expr'], "field 'expr' must be set in rule");
    else {
      try {
        ast = parseExpr(expr);
      } catch (e) {
        if (!(e instanceof ParseError)) throw e;
        const loc = this.where?.inValue([...rp, 'expr'], e.offset);
        this.issues.push({ path: [...rp, 'expr'], message: `${prefix}could not parse expression: ${e.message}`, loc: loc ?? this.where?.at([...rp, 'expr']) });
      }
    }
    const forMs = this.duration(r, 'for', rp) ?? 0;
    const keepFiringForMs = this.duration(r, 'keep_firing_for', rp) ?? 0;
    const labels = this.stringMap(r, 'labels', rp);
    const annotations = this.stringMap(r, 'annotations', rp);
    if (record !== '') {
      if (Object.keys(annotations).length > 0) fail([...rp, 'record'], "invalid field 'annotations' in recording rule");
      if (forMs !== 0) fail([...rp, 'record'], "invalid field 'for' in recording rule");
      if (keepFiringForMs !== 0) fail([...rp, 'record'], "invalid field 'keep_firing_for' in recording rule");
      if (!METRIC_NAME_RE.test(record)) fail([...rp, 'record'], `invalid recording rule name: ${record}`);
    }
    for (const k of Object.keys(labels)) {
      if (!LABEL_NAME_RE.test(k) || k === '__name__') fail([...rp, 'labels', k], `invalid label name: ${k}`, true);
    }
    for (const k of Object.keys(annotations)) if (!LABEL_NAME_RE.test(k)) fail([...rp, 'annotations', k], `invalid annotation name: ${k}`, true);
    const labelTemplates = new Map<string, Template>();
    const annotationTemplates = new Map<string, Template>();
    if (alert !== '') {
      const parseT = (kind: 'labels' | 'annotations', k: string, text: string, into: Map<string, Template>) => {
        try {
          into.set(k, parseAlertTemplate(alert, text));
        } catch (e) {
          if (!(e instanceof TemplateError)) throw e;
          const path = [...rp, kind, k];
          const loc = e.offset !== undefined ? this.where?.inValue(path, e.offset) : undefined;
          this.issues.push({ path, message: `${prefix}${kind === 'labels' ? 'label' : 'annotation'} ${JSON.stringify(k)}: ${e.message}`, loc: loc ?? this.where?.at(path) });
        }
      };
      for (const [k, v] of Object.entries(labels)) parseT('labels', k, v, labelTemplates);
      for (const [k, v] of Object.entries(annotations)) parseT('annotations', k, v, annotationTemplates);
    }
    if (this.issues.length > before || !ast) return undefined;
    const loc = this.where?.at(rp);
    return {
      kind: alert !== '' ? 'alert' : 'record',
      name: ruleName,
      expr,
      ast,
      forMs,
      keepFiringForMs,
      labels,
      annotations,
      labelTemplates,
      annotationTemplates,
      origin: { file: this.origin, ...loc },
    };
  }
}

/**
 * Rule groups from an already-parsed value: `{groups: [...]}`, a list of groups, or (inline in
 * a config) a list that also holds bare rules, which go, in order, into one group named
 * `implicitGroup`. Problems are reported by path (and position, with a locator).
 */
export function validateRuleGroups(raw: unknown, opts: { origin: string; where?: Locator; implicitGroup?: string }): { groups: GroupSpec[]; issues: RuleIssue[] } {
  const v = new Validator(opts.where, opts.origin);
  if (raw === undefined || raw === null) return { groups: [], issues: [] };
  if (isObj(raw)) {
    v.unknownKeys(raw, ['groups'], [], 'rulefmt.RuleGroups');
    return { groups: raw.groups === undefined || raw.groups === null ? [] : v.groups(raw.groups, ['groups']), issues: v.issues };
  }
  if (!Array.isArray(raw)) {
    v.issue([], `expected a list of rule groups, got ${typeName(raw)}`);
    return { groups: [], issues: v.issues };
  }
  if (opts.implicitGroup === undefined) return { groups: v.groups(raw, []), issues: v.issues };
  // Inline: groups and bare rules may be mixed.
  const groups: GroupSpec[] = [];
  const seen = new Set<string>();
  const bare: RuleSpec[] = [];
  raw.forEach((item, j) => {
    if (isObj(item) && ('rules' in item || 'name' in item) && !('expr' in item)) {
      const g = v.group(item, [j], seen);
      if (g) groups.push(g);
    } else if (isObj(item)) {
      const r = v.rule(item, [j], opts.implicitGroup!, bare.length);
      if (r) bare.push(r);
    } else v.issue([j], `rules ${j + 1}: expected a rule group or a rule (a map), got ${typeName(item)}`);
  });
  if (bare.length > 0) {
    if (seen.has(opts.implicitGroup)) v.issue([], `groupname: "${opts.implicitGroup}" is used by a group and by the rules listed without a group`);
    groups.unshift({ name: opts.implicitGroup, limit: 0, queryOffsetMs: 0, rules: bare, origin: { file: opts.origin, ...opts.where?.at([]) } });
  }
  return { groups, issues: v.issues };
}

/**
 * Maps an offset inside a scalar's value to its source text (plain, quoted and block scalars):
 * counts the non-blank characters before it (folding and indentation only change blanks),
 * reading quoted escapes as one character.
 */
function valueToSource(src: string, node: YamlNode, value: string, offset: number): number {
  const range = node.range;
  if (!range) return 0;
  let j = range[0];
  const end = range[1];
  const type = isScalar(node) ? node.type : undefined;
  if (type === 'BLOCK_LITERAL' || type === 'BLOCK_FOLDED') {
    const nl = src.indexOf('\n', j);
    if (nl >= 0 && nl < end) j = nl + 1;
  } else if (type === 'QUOTE_DOUBLE' || type === 'QUOTE_SINGLE') j++;
  const blank = (c: string | undefined) => c === ' ' || c === '\t' || c === '\n' || c === '\r';
  let k = 0;
  for (let i = 0; i < offset && i < value.length; i++) if (!blank(value[i])) k++;
  for (;;) {
    while (j < end && blank(src[j])) j++;
    if (k === 0 || j >= end) return j;
    if (type === 'QUOTE_DOUBLE' && src[j] === '\\') {
      const e = src[j + 1];
      j += e === 'x' ? 4 : e === 'u' ? 6 : e === 'U' ? 10 : 2;
      if (e === 'n' || e === 't' || e === 'r' || e === '\n') continue; // blanks in the value
    } else if (type === 'QUOTE_SINGLE' && src[j] === "'" && src[j + 1] === "'") j += 2;
    else j++;
    k--;
  }
}

class DocLocator implements Locator {
  constructor(
    private readonly src: string,
    private readonly doc: Document,
    private readonly lines: LineCounter,
    private readonly base: Path,
  ) {}

  private node(path: Path): { node: YamlNode | undefined; key: YamlNode | undefined } {
    let cur: unknown = this.doc.contents;
    let key: YamlNode | undefined;
    for (const seg of [...this.base, ...path]) {
      key = undefined;
      if (isMap(cur)) {
        const pair = cur.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
        if (!pair) return { node: undefined, key: undefined };
        key = pair.key as YamlNode;
        cur = pair.value;
      } else if (isSeq(cur) && typeof seg === 'number') cur = cur.items[seg];
      else return { node: undefined, key: undefined };
    }
    return { node: (cur ?? undefined) as YamlNode | undefined, key };
  }

  private pos(offset: number): { line: number; col: number } {
    const p = this.lines.linePos(offset);
    return { line: p.line, col: p.col };
  }

  at(path: Path, atKey = false): { line: number; col: number } | undefined {
    for (let d = path.length; d >= 0; d--) {
      const { node, key } = this.node(path.slice(0, d));
      const target = atKey && d === path.length ? (key ?? node) : (node ?? key);
      const r = target?.range;
      if (r) return this.pos(r[0]);
    }
    return undefined;
  }

  inValue(path: Path, offset: number): { line: number; col: number } | undefined {
    const { node } = this.node(path);
    if (!node || !isScalar(node) || typeof node.value !== 'string') return undefined;
    return this.pos(valueToSource(this.src, node, node.value, offset));
  }
}

export interface FileIssue {
  file: string;
  line?: number;
  col?: number;
  message: string;
}

/** Reads one Prometheus rule file's text (several YAML documents are joined). */
export function parseRuleFile(file: string, text: string): { groups: GroupSpec[]; errors: FileIssue[] } {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const errors: FileIssue[] = [];
  const groups: GroupSpec[] = [];
  const list = Array.isArray(docs) ? docs : [docs];
  const names = new Set<string>();
  for (const doc of list) {
    const docNames = new Set<string>();
    if (doc.errors.length > 0) {
      for (const e of doc.errors) {
        const p = lines.linePos(e.pos[0]);
        errors.push({ file, line: p.line, col: p.col, message: `YAML syntax error: ${e.message.split('\n')[0]}` });
      }
      continue;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (e) {
      errors.push({ file, line: 1, col: 1, message: `cannot read this YAML: ${(e as Error).message.split('\n')[0]}` });
      continue;
    }
    if (value === null || value === undefined) continue;
    if (!isObj(value)) {
      errors.push({ file, ...lines.linePos(doc.contents?.range?.[0] ?? 0), message: 'a rule file is a map with a "groups" list' });
      continue;
    }
    const where = new DocLocator(text, doc, lines, []);
    const r = validateRuleGroups(value, { origin: file, where });
    for (const g of r.groups) {
      if (names.has(g.name)) errors.push({ file, line: g.origin.line, col: g.origin.col, message: `groupname: "${g.name}" is repeated in the same file` });
      docNames.add(g.name);
    }
    for (const n of docNames) names.add(n);
    for (const i of r.issues) errors.push({ file, line: i.loc?.line, col: i.loc?.col, message: i.message });
    groups.push(...r.groups);
  }
  return { groups, errors };
}

/** `file:line:col: message`, as validate prints it. */
export function formatFileIssue(e: FileIssue): string {
  return `${e.file}${e.line ? `:${e.line}:${e.col ?? 1}` : ''}: ${e.message}`;
}

/** The longest range and offset a rule's expression reaches back (to size the window). */
export function lookbehindMs(e: Expr): number {
  let max = 0;
  const walk = (x: Expr, extra: number): void => {
    switch (x.type) {
      case 'vectorSelector':
        max = Math.max(max, extra + Math.max(0, x.offsetMs));
        return;
      case 'matrixSelector':
        max = Math.max(max, extra + x.rangeMs + Math.max(0, x.vs.offsetMs));
        return;
      case 'subquery':
        walk(x.expr, extra + x.rangeMs + Math.max(0, x.offsetMs));
        return;
      case 'call':
        for (const a of x.args) walk(a, extra);
        return;
      case 'aggregate':
        walk(x.expr, extra);
        if (x.param) walk(x.param, extra);
        return;
      case 'binary':
        walk(x.lhs, extra);
        walk(x.rhs, extra);
        return;
      case 'unary':
      case 'paren':
        walk(x.expr, extra);
        return;
      default:
        return;
    }
  };
  walk(e, 0);
  return max;
}

/**
 * The metric names an expression selects, or undefined when a selector has no fixed name
 * (`{job="x"}`, `{__name__=~"…"}`): then the window keeps every series.
 */
export function selectedNames(e: Expr, into: Set<string>): boolean {
  let fixed = true;
  const walk = (x: Expr): void => {
    switch (x.type) {
      case 'vectorSelector': {
        const eq = x.matchers.find((m) => m.name === '__name__' && m.type === '=');
        if (eq) into.add(eq.value);
        else fixed = false;
        return;
      }
      case 'matrixSelector':
        walk(x.vs);
        return;
      case 'subquery':
      case 'unary':
      case 'paren':
        walk(x.expr);
        return;
      case 'call':
        for (const a of x.args) walk(a);
        return;
      case 'aggregate':
        walk(x.expr);
        if (x.param) walk(x.param);
        return;
      case 'binary':
        walk(x.lhs);
        walk(x.rhs);
        return;
      default:
        return;
    }
  };
  walk(e);
  return fixed;
}
