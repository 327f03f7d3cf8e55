// The Collector's legacy include/exclude "match properties" (filter, attributes processors):
// every property that is set must match (AND); within one list any entry may match (OR);
// attribute lists need all their entries to match.
import { s, type Infer } from '../config/schema.js';
import type { Attributes } from '../pdata/types.js';
import type { ContextKind, EvalContext } from './expr-eval.js';
import { configValue, valuesEqual, valueToString } from './value.js';
import { compileGoRegex, mustGoRegex } from '../util/goregex.js';

const kvSchema = s.object({ key: s.string(), value: s.unknown().optional() });

const SEVERITY_NAMES = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];

export const matchSchema = s.object({
  // Optional: a block that matches on severity_number only compares no strings (the Collector
  // does not ask for it there); validateMatch requires it for everything else.
  match_type: s.enum(['strict', 'regexp'] as const).optional().describe('How names and values are compared (required unless only severity_number is set)'),
  services: s.array(s.string()).optional(),
  span_names: s.array(s.string()).optional(),
  span_kinds: s.array(s.string()).optional(),
  metric_names: s.array(s.string()).optional(),
  log_bodies: s.array(s.string()).optional(),
  bodies: s.array(s.string()).optional(),
  log_severity_texts: s.array(s.string()).optional(),
  severity_texts: s.array(s.string()).optional(),
  severity_number: s
    .object({ min: s.string(), match_undefined: s.boolean().default(false) })
    .optional(),
  attributes: s.array(kvSchema).optional(),
  record_attributes: s.array(kvSchema).optional(),
  resources: s.array(kvSchema).optional(),
  resource_attributes: s.array(kvSchema).optional(),
  libraries: s.array(s.object({ name: s.string(), version: s.string().optional() })).optional(),
});
export type MatchConfig = Infer<typeof matchSchema>;

export type Matcher = (c: EvalContext) => boolean;

/** Severity number from a name (INFO, WARN2, ...) or a number. */
export function severityFromName(v: string): number | undefined {
  if (/^\d+$/.test(v)) return Number(v);
  const m = /^([A-Z]+)([234])?$/.exec(v.toUpperCase());
  const i = m ? SEVERITY_NAMES.indexOf(m[1]!) : -1;
  return i < 0 ? undefined : i * 4 + 1 + (m![2] ? Number(m![2]) - 1 : 0);
}

/** Any entry of `list` equals (strict) or, as a regexp, matches the value. */
export function stringMatcher(strict: boolean, list: string[]): (v: string) => boolean {
  if (strict) {
    const set = new Set(list);
    return (v) => set.has(v);
  }
  const res = list.map((p) => mustGoRegex(p));
  return (v) => res.some((r) => r.test(v));
}

function attrsMatcher(strict: boolean, kvs: { key: string; value?: unknown }[]): (a: Attributes) => boolean {
  const checks = kvs.map(({ key, value }) => {
    if (value === undefined) return (a: Attributes) => key in a;
    if (strict) {
      const want = configValue(value);
      return (a: Attributes) => valuesEqual(a[key], want);
    }
    const re = mustGoRegex(String(value));
    return (a: Attributes) => key in a && re.test(valueToString(a[key]));
  });
  return (a) => checks.every((f) => f(a));
}

const KIND_NAMES = ['SPAN_KIND_UNSPECIFIED', 'SPAN_KIND_INTERNAL', 'SPAN_KIND_SERVER', 'SPAN_KIND_CLIENT', 'SPAN_KIND_PRODUCER', 'SPAN_KIND_CONSUMER'];

/** Which properties each item kind understands (others are config errors). */
const ALLOWED: Record<string, string[]> = {
  span: ['services', 'span_names', 'span_kinds', 'attributes', 'resources', 'resource_attributes', 'libraries'],
  log: ['log_bodies', 'bodies', 'log_severity_texts', 'severity_texts', 'severity_number', 'attributes', 'record_attributes', 'resources', 'resource_attributes', 'libraries'],
  datapoint: ['metric_names', 'attributes', 'resources', 'resource_attributes', 'libraries'],
  metric: ['metric_names', 'resources', 'resource_attributes', 'libraries'],
};

/** Validate a match block for an item kind; returns messages. */
export function validateMatch(kind: 'span' | 'log' | 'metric' | 'datapoint' | 'any', m: MatchConfig, where: string): string[] {
  const errs: string[] = [];
  const allowed = ALLOWED[kind] ?? Object.keys(matchSchema.shape);
  for (const [k, v] of Object.entries(m)) {
    if (k === 'match_type' || v === undefined) continue;
    if (!allowed.includes(k)) errs.push(`${where}.${k}: not supported for ${kind}s (use one of ${allowed.join(', ')})`);
  }
  if (m.match_type === 'regexp') {
    for (const list of [m.services, m.span_names, m.metric_names, m.log_bodies, m.bodies, m.log_severity_texts, m.severity_texts])
      for (const p of list ?? [])
        {
          const re = compileGoRegex(p);
          if (typeof re === 'string') errs.push(`${where}: ${re}`);
        }
  }
  if (m.severity_number && severityFromName(m.severity_number.min) === undefined)
    errs.push(`${where}.severity_number.min: unknown severity ${JSON.stringify(m.severity_number.min)}`);
  const configured = Object.entries(m).filter(([k, v]) => k !== 'match_type' && v !== undefined).map(([k]) => k);
  if (configured.length === 0) errs.push(`${where}: set at least one property to match on`);
  else if (m.match_type === undefined && configured.some((k) => k !== 'severity_number'))
    errs.push(`${where}.match_type: required (strict or regexp) to compare ${configured.filter((k) => k !== 'severity_number').join(', ')}`);
  return errs;
}

export function compileMatch(kind: ContextKind, m: MatchConfig): Matcher {
  const strict = m.match_type === 'strict';
  const checks: Matcher[] = [];
  const never: Matcher = () => false;
  const isSpan = kind === 'span';
  const isLog = kind === 'log';
  const isMetric = kind === 'metric' || kind === 'datapoint';
  if (m.services) {
    const f = stringMatcher(strict, m.services);
    checks.push((c) => f(valueToString(c.resource.attributes['service.name'])));
  }
  // A property about another signal's items never matches (the item does not have it).
  if (m.span_names) {
    const f = stringMatcher(strict, m.span_names);
    checks.push(isSpan ? (c) => f(c.span!.name) : never);
  }
  if (m.metric_names) {
    const f = stringMatcher(strict, m.metric_names);
    checks.push(isMetric ? (c) => f(c.metric!.name) : never);
  }
  if (m.span_kinds) {
    const f = stringMatcher(strict, m.span_kinds);
    checks.push(isSpan ? (c) => f(KIND_NAMES[c.span!.kind] ?? '') : never);
  }
  const bodies = m.log_bodies ?? m.bodies;
  if (bodies) {
    const f = stringMatcher(strict, bodies);
    checks.push(isLog ? (c) => f(valueToString(c.log!.body)) : never);
  }
  const sevTexts = m.log_severity_texts ?? m.severity_texts;
  if (sevTexts) {
    const f = stringMatcher(strict, sevTexts);
    checks.push(isLog ? (c) => f(c.log!.severityText ?? '') : never);
  }
  if (m.severity_number && !isLog) checks.push(never);
  else if (m.severity_number) {
    const min = severityFromName(m.severity_number.min) ?? 0;
    const undef = m.severity_number.match_undefined;
    checks.push((c) => (c.log!.severityNumber === 0 ? undef : c.log!.severityNumber >= min));
  }
  const attrs = m.attributes ?? m.record_attributes;
  if (attrs) {
    const f = attrsMatcher(strict, attrs);
    const get =
      isSpan ? (c: EvalContext) => c.span!.attributes
      : isLog ? (c: EvalContext) => c.log!.attributes
      : kind === 'datapoint' ? (c: EvalContext) => c.point!.attributes
      : undefined;
    checks.push(get ? (c) => f(get(c)) : never);
  }
  const res = m.resources ?? m.resource_attributes;
  if (res) {
    const f = attrsMatcher(strict, res);
    checks.push((c) => f(c.resource.attributes));
  }
  if (m.libraries) {
    const libs = m.libraries.map((l) => ({ name: stringMatcher(strict, [l.name]), version: l.version === undefined ? undefined : stringMatcher(strict, [l.version]) }));
    checks.push((c) => libs.some((l) => l.name(c.scope.name) && (!l.version || l.version(c.scope.version ?? ''))));
  }
  return (c) => checks.every((f) => f(c));
}
