// Alerting and recording rules, evaluated as Prometheus 2.42 evaluates them (rules/alerting.go,
// rules/recording.go): one alert per label set, inactive → pending → firing → resolved,
// `for`, `keep_firing_for`, resolved alerts kept 15 minutes for re-sending, `limit`.
// telemd additions: alerts closed by hand stay closed while their condition holds, and alerts
// restored after a restart are held while the data they depend on has not come back yet.
import type { Expr } from '../promql/ast.js';
import { expandAlertTemplate } from './template.js';
import { fingerprint } from './fingerprint.js';
import type { RuleSpec } from './rulefmt.js';

export type AlertState = 'pending' | 'firing' | 'inactive';

/** Who acknowledged an alert, until when and why; the silences made for it. */
export interface Ack {
  by: string;
  at: number;
  until: number;
  comment: string;
  /** Silence per Alertmanager URL: id once created; `expire` once the ack ended early. */
  silences: Record<string, { id?: string; state: 'pending' | 'active' | 'expire' | 'expired' | 'failed'; error?: string }>;
}

export interface HistoryEntry {
  at: number;
  /** pending, firing, resolved, inactive (a pending alert cleared), acknowledged, unacknowledged, closed. */
  event: string;
  value?: number;
  by?: string;
  comment?: string;
}

export interface Alert {
  /** Alertmanager's fingerprint of the labels it receives (alert labels + external labels). */
  fp: string;
  /** Alert labels: the sample's (minus __name__), the rule's, alertname. */
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: AlertState;
  value: number;
  activeAt: number;
  firedAt?: number;
  resolvedAt?: number;
  keepFiringSince?: number;
  lastSentAt?: number;
  validUntil?: number;
  lastEvalAt: number;
  ack?: Ack;
  /** Closed by hand (`telemd alerts resolve`): stays resolved while the condition holds. */
  closed?: { by: string; at: number; comment: string };
  /** Restored from storage and not yet seen by an evaluation since the restart. */
  restored?: boolean;
  history: HistoryEntry[];
}

export interface Transition {
  alert: Alert;
  from: AlertState | 'new';
  to: AlertState | 'resolved';
  reason?: string;
}

export interface Sample {
  labels: Record<string, string>;
  value: number;
}

export interface EvalContext {
  /** Evaluation time, ms (already shifted by the group's query_offset). */
  ts: number;
  query(expr: Expr, ts: number): Promise<Sample[]>;
  /** For `{{ query "…" }}` in templates. */
  templateQuery(expr: string, ts: number): Promise<Sample[]>;
  externalLabels: Readonly<Record<string, string>>;
  externalURL: string;
  /**
   * False right after a restart while the series the rule reads have not come back: restored
   * alerts the expression does not return are then kept as they are, not resolved.
   */
  warm: boolean;
  /** Template expansion failures (logged and counted by the caller). */
  onTemplateError?(rule: string, error: string): void;
}

/** Prometheus' resolvedRetention. */
export const RESOLVED_RETENTION_MS = 15 * 60_000;
const HISTORY_MAX = 50;

export function pushHistory(a: Alert, e: HistoryEntry): void {
  a.history.push(e);
  if (a.history.length > HISTORY_MAX) a.history.splice(0, a.history.length - HISTORY_MAX);
}

/** Labels sorted by name (Prometheus keeps label sets sorted; JSON shows them so). */
export function sortedRecord(r: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(r).sort()) out[k] = r[k]!;
  return out;
}

/** The label set Alertmanager receives: external labels added where the alert has none. */
export function withExternal(labels: Readonly<Record<string, string>>, ext: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = { ...labels };
  for (const [k, v] of Object.entries(ext)) if (!(k in out) && v !== '') out[k] = v;
  return sortedRecord(out);
}

export class RuleError extends Error {}

export class AlertingRule {
  readonly kind = 'alert';
  /** Alerts by fingerprint: pending, firing, and resolved ones for 15 minutes. */
  readonly active = new Map<string, Alert>();
  health: 'unknown' | 'ok' | 'err' = 'unknown';
  lastError = '';
  lastEvalMs = 0;
  lastDurationMs = 0;

  constructor(
    readonly spec: RuleSpec,
    readonly limit: number,
  ) {}

  get name(): string {
    return this.spec.name;
  }

  /** Puts back alerts loaded from storage (after a restart). */
  restore(alerts: Alert[]): void {
    for (const a of alerts) this.active.set(a.fp, { ...a, restored: true });
  }

  async eval(ctx: EvalContext): Promise<{ samples: Sample[]; transitions: Transition[] }> {
    const { ts } = ctx;
    const res = await ctx.query(this.spec.ast, ts);
    const transitions: Transition[] = [];
    const fresh = new Map<string, Alert>();
    for (const smpl of res) {
      const data = { labels: smpl.labels, externalLabels: ctx.externalLabels, externalURL: ctx.externalURL, value: smpl.value };
      const fns = { query: (q: string) => ctx.templateQuery(q, ts), externalURL: ctx.externalURL };
      const expand = async (t: Parameters<typeof expandAlertTemplate>[0]) => {
        const r = await expandAlertTemplate(t, data, fns);
        if (r.error) ctx.onTemplateError?.(this.name, r.error);
        return r.text;
      };
      const labels: Record<string, string> = { ...smpl.labels };
      delete labels.__name__;
      for (const [k, t] of this.spec.labelTemplates) {
        const v = await expand(t);
        if (v === '') delete labels[k];
        else labels[k] = v;
      }
      labels.alertname = this.name;
      const annotations: Record<string, string> = {};
      for (const [k, t] of this.spec.annotationTemplates) annotations[k] = await expand(t);
      const sorted = sortedRecord(labels);
      const fp = fingerprint(withExternal(sorted, ctx.externalLabels));
      if (fresh.has(fp)) {
        this.health = 'err';
        this.lastError = 'vector contains metrics with the same labelset after applying alert labels';
        throw new RuleError(this.lastError);
      }
      fresh.set(fp, {
        fp,
        labels: sorted,
        annotations: sortedRecord(annotations),
        state: 'pending',
        value: smpl.value,
        activeAt: ts,
        lastEvalAt: ts,
        history: [],
      });
    }
    for (const [fp, a] of fresh) {
      const old = this.active.get(fp);
      if (old && (old.state !== 'inactive' || old.closed)) {
        old.value = a.value;
        old.annotations = a.annotations;
        old.lastEvalAt = ts;
        old.restored = false;
        continue;
      }
      pushHistory(a, { at: ts, event: 'pending', value: a.value });
      transitions.push({ alert: a, from: old ? 'inactive' : 'new', to: 'pending' });
      this.active.set(fp, a);
    }
    let numActive = 0;
    const samples: Sample[] = [];
    for (const [fp, a] of this.active) {
      if (!fresh.has(fp)) {
        if (a.closed) a.closed = undefined; // its condition cleared: it may fire again
        if (a.restored && !ctx.warm && a.state !== 'inactive') {
          // The data is not back yet after a restart: hold the alert as it was.
          numActive++;
          this.samplesFor(a, ts, samples);
          continue;
        }
        let keepFiring = false;
        if (a.state === 'firing' && this.spec.keepFiringForMs > 0) {
          a.keepFiringSince ??= ts;
          if (ts - a.keepFiringSince < this.spec.keepFiringForMs) keepFiring = true;
        }
        if (a.state === 'pending' || (a.resolvedAt !== undefined && ts - a.resolvedAt > RESOLVED_RETENTION_MS)) this.active.delete(fp);
        if (a.state !== 'inactive' && !keepFiring) {
          const from = a.state;
          a.state = 'inactive';
          a.resolvedAt = ts;
          a.restored = false;
          a.lastEvalAt = ts;
          pushHistory(a, { at: ts, event: from === 'firing' ? 'resolved' : 'inactive', value: a.value });
          transitions.push({ alert: a, from, to: from === 'firing' ? 'resolved' : 'inactive' });
        }
        if (!keepFiring) continue;
      } else a.keepFiringSince = undefined;
      numActive++;
      if (a.state === 'pending' && ts - a.activeAt >= this.spec.forMs) {
        a.state = 'firing';
        a.firedAt = ts;
        pushHistory(a, { at: ts, event: 'firing', value: a.value });
        transitions.push({ alert: a, from: 'pending', to: 'firing' });
      }
      this.samplesFor(a, ts, samples);
    }
    if (this.limit > 0 && numActive > this.limit) {
      const msg = `exceeded limit of ${this.limit} with ${numActive} alerts`;
      for (const a of this.active.values()) {
        if (a.state === 'inactive') continue;
        const from = a.state;
        a.state = 'inactive';
        a.resolvedAt = ts;
        pushHistory(a, { at: ts, event: from === 'firing' ? 'resolved' : 'inactive', comment: msg });
        transitions.push({ alert: a, from, to: from === 'firing' ? 'resolved' : 'inactive', reason: msg });
      }
      for (const [fp, a] of this.active) if (a.firedAt === undefined) this.active.delete(fp);
      this.health = 'err';
      this.lastError = msg;
      throw Object.assign(new RuleError(msg), { transitions });
    }
    this.health = 'ok';
    this.lastError = '';
    return { samples, transitions };
  }

  private samplesFor(a: Alert, ts: number, out: Sample[]): void {
    if (a.state === 'inactive') return;
    out.push({ labels: { ...a.labels, __name__: 'ALERTS', alertstate: a.state }, value: 1 });
    out.push({ labels: { ...a.labels, __name__: 'ALERTS_FOR_STATE' }, value: Math.floor(a.activeAt / 1000) });
    void ts;
  }

  /** Prometheus' needsSending. */
  static needsSending(a: Alert, ts: number, resendDelayMs: number): boolean {
    if (a.state === 'pending') return false;
    if (a.resolvedAt !== undefined && (a.lastSentAt === undefined || a.resolvedAt > a.lastSentAt)) return true;
    return a.lastSentAt === undefined || a.lastSentAt + resendDelayMs < ts;
  }
}

export class RecordingRule {
  readonly kind = 'record';
  health: 'unknown' | 'ok' | 'err' = 'unknown';
  lastError = '';
  lastEvalMs = 0;
  lastDurationMs = 0;

  constructor(
    readonly spec: RuleSpec,
    readonly limit: number,
  ) {}

  get name(): string {
    return this.spec.name;
  }

  async eval(ctx: EvalContext): Promise<{ samples: Sample[]; transitions: Transition[] }> {
    const res = await ctx.query(this.spec.ast, ctx.ts);
    const seen = new Set<string>();
    const samples: Sample[] = [];
    for (const s of res) {
      const labels: Record<string, string> = { ...s.labels, __name__: this.name };
      for (const [k, v] of Object.entries(this.spec.labels)) {
        if (v === '') delete labels[k];
        else labels[k] = v;
      }
      const key = fingerprint(labels);
      if (seen.has(key)) {
        this.health = 'err';
        this.lastError = 'vector contains metrics with the same labelset after applying rule labels';
        throw new RuleError(this.lastError);
      }
      seen.add(key);
      samples.push({ labels, value: s.value });
    }
    if (this.limit > 0 && samples.length > this.limit) {
      this.health = 'err';
      this.lastError = `exceeded limit ${this.limit} with ${samples.length} series`;
      throw new RuleError(this.lastError);
    }
    this.health = 'ok';
    this.lastError = '';
    return { samples, transitions: [] };
  }
}

export type Rule = AlertingRule | RecordingRule;
