// A rule group: its rules evaluated in order at one timestamp, as Prometheus' rules.Group does.
// What a recording rule writes (and every alerting rule's ALERTS / ALERTS_FOR_STATE series) is
// appended to the store at that timestamp, so the rules after it in the group see it; series a
// rule no longer produces get a staleness marker.
import { evalInstant, parseExpr, STALE_NAN, type Expr, type Labels, type QueryOptions, type Queryable } from '../promql/index.js';
import { fingerprint } from './fingerprint.js';
import { AlertingRule, RecordingRule, type EvalContext, type Rule, type Sample, type Transition } from './rule.js';
import { lookbehindMs, selectedNames, type GroupSpec } from './rulefmt.js';

export interface RuleStore extends Queryable {
  append(labels: Labels, tMs: number, value: number): unknown;
}

export interface OutputSample {
  labels: Record<string, string>;
  value: number;
  /** A staleness marker: the series ended. */
  stale?: boolean;
}

export interface RuleFailure {
  rule: string;
  error: string;
}

export interface GroupEvalResult {
  ts: number;
  durationMs: number;
  transitions: Transition[];
  output: OutputSample[];
  failures: RuleFailure[];
  /** Rules evaluated (for telemd_alerts_rule_evaluations_total). */
  evaluated: number;
}

export interface GroupOptions {
  /** The group's key (file + name), for ids in storage and the API. */
  key: string;
  intervalMs: number;
  externalLabels: Readonly<Record<string, string>>;
  externalURL: string;
  query: QueryOptions;
  /** Whether `rule`'s restored alerts may be resolved (see EvalContext.warm). */
  isWarm(rule: Rule): boolean;
  onTemplateError?(rule: string, error: string): void;
}

/** What a rule expression yields, as Prometheus' EngineQueryFunc: a vector, or a scalar as one sample. */
export async function queryVector(store: Queryable, expr: Expr | string, ts: number, opts: QueryOptions): Promise<Sample[]> {
  const r = await evalInstant(store, expr, ts, opts);
  if (r.resultType === 'vector') return r.result.map((s) => ({ labels: s.labels, value: s.value }));
  if (r.resultType === 'scalar') return [{ labels: {}, value: r.value }];
  throw new Error('rule result is not a vector or scalar');
}

export class RuleGroup {
  readonly rules: Rule[];
  /** Series each rule wrote last time, to mark the ones that ended. */
  private previous: Map<string, Record<string, string>>[];
  private readonly templateExprs = new Map<string, Expr>();
  lastEvalMs = 0;
  lastDurationMs = 0;
  /** Rules and the names they read, for warm-up and the window's name filter. */
  readonly names = new Set<string>();
  /** False when a selector has no fixed metric name (the window must keep every series). */
  readonly fixedNames: boolean;
  /** The longest time any rule looks back. */
  readonly lookbehindMs: number;

  constructor(
    readonly spec: GroupSpec,
    readonly opts: GroupOptions,
  ) {
    this.rules = spec.rules.map((r) => (r.kind === 'alert' ? new AlertingRule(r, spec.limit) : new RecordingRule(r, spec.limit)));
    this.previous = this.rules.map(() => new Map());
    let fixed = true;
    let back = 0;
    for (const r of spec.rules) {
      if (!selectedNames(r.ast, this.names)) fixed = false;
      back = Math.max(back, lookbehindMs(r.ast));
    }
    this.fixedNames = fixed;
    this.lookbehindMs = back;
  }

  get name(): string {
    return this.spec.name;
  }

  get key(): string {
    return this.opts.key;
  }

  async evaluate(store: RuleStore, nowMs: number): Promise<GroupEvalResult> {
    const t0 = performance.now();
    const ts = nowMs - this.spec.queryOffsetMs;
    const out: GroupEvalResult = { ts, durationMs: 0, transitions: [], output: [], failures: [], evaluated: 0 };
    for (let i = 0; i < this.rules.length; i++) {
      const rule = this.rules[i]!;
      const r0 = performance.now();
      const ctx: EvalContext = {
        ts,
        query: (e, t) => queryVector(store, e, t, this.opts.query),
        templateQuery: (q, t) => this.templateQuery(store, q, t),
        externalLabels: this.opts.externalLabels,
        externalURL: this.opts.externalURL,
        warm: this.opts.isWarm(rule),
        onTemplateError: this.opts.onTemplateError,
      };
      let samples: Sample[] = [];
      try {
        const r = await rule.eval(ctx);
        samples = r.samples;
        out.transitions.push(...r.transitions);
      } catch (e) {
        const extra = (e as { transitions?: Transition[] }).transitions;
        if (extra) out.transitions.push(...extra);
        rule.health = 'err';
        rule.lastError = (e as Error).message;
        out.failures.push({ rule: rule.name, error: rule.lastError });
      }
      out.evaluated++;
      rule.lastEvalMs = ts;
      rule.lastDurationMs = performance.now() - r0;
      // Write the rule's series (visible to the rules after it) and end the ones that stopped.
      const now = new Map<string, Record<string, string>>();
      for (const s of samples) {
        const k = fingerprint(s.labels);
        now.set(k, s.labels);
        store.append(s.labels, ts, s.value);
        out.output.push({ labels: s.labels, value: s.value });
      }
      for (const [k, labels] of this.previous[i]!) {
        if (now.has(k)) continue;
        store.append(labels, ts, STALE_NAN);
        out.output.push({ labels, value: NaN, stale: true });
      }
      this.previous[i] = now;
    }
    this.lastEvalMs = ts;
    out.durationMs = this.lastDurationMs = performance.now() - t0;
    return out;
  }

  private async templateQuery(store: Queryable, q: string, ts: number): Promise<Sample[]> {
    let e = this.templateExprs.get(q);
    if (!e) {
      e = parseExpr(q);
      if (this.templateExprs.size < 256) this.templateExprs.set(q, e);
    }
    // Series come sorted by labels; Prometheus returns them in no fixed order (sortByLabel in
    // a template makes the order the same in both).
    return queryVector(store, e, ts, this.opts.query);
  }

  alertingRules(): AlertingRule[] {
    return this.rules.filter((r): r is AlertingRule => r instanceof AlertingRule);
  }
}

/**
 * Prometheus' evaluation offset of a group inside its interval (a hash of its name and file),
 * so that groups with the same interval do not all run at once.
 */
export function groupOffsetMs(key: string, intervalMs: number): number {
  const fp = fingerprint({ group: key });
  return Number(BigInt(`0x${fp}`) % BigInt(Math.max(1, intervalMs)));
}
