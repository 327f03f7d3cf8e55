// The slo connector's engine: per objective, events into a budget ledger (probe results of a
// check receiver, or PromQL SLIs evaluated per bucket), error ratios and burn rates per window,
// the budget left, breach periods; the series out to the metrics pipelines; the burn-rate
// alerts registered as rule groups for the alerts connector (src/alerting/providers.ts).
import type { Logger } from 'pino';
import type { CreateSettings, Host, PipelineRouter } from '../../src/component/component.js';
import type { StorageClient } from '../../src/component/storage.js';
import { registerRuleGroups, type RuleGroupInput } from '../../src/alerting/providers.js';
import { selectedNames } from '../../src/alerting/rulefmt.js';
import { RECEIVER_ID_ATTR } from '../../src/checks/emit.js';
import type { Attributes, Metric, MetricsData, NumberDataPoint } from '../../src/pdata/types.js';
import { DeltaAccumulator, needsRewrite, translateMetrics } from '../../src/prometheus/index.js';
import { evalInstant, MemoryQueryable, parseExpr, STALE_NAN, type Queryable } from '../../src/promql/index.js';
import { hostResource } from '../../src/resource/host.js';
import type { Counter } from '../../src/telemetry/self.js';
import { storeFor } from '../../src/tsdb/registry.js';
import { bucketMs, fillWindow, scaleWindow, windowLabel, type AlertSpec, type Config, type Objective } from './config.js';
import { Ledger, type LedgerJson } from './ledger.js';

export const STATE_KEY = 'slo-ledger';

export interface WindowView {
  window: string;
  nominal: string;
  errorRatio: number | null;
  burnRate: number | null;
}

export interface ObjectiveView {
  connector: string;
  name: string;
  description: string;
  target: number;
  window: string;
  sli: { error: string; total: string } | { probe: string };
  windows: WindowView[];
  budgetRemaining: number;
  errorSeconds: number;
  budgetSeconds: number;
  breached: boolean;
  alerts: { severity: string; burnRate: number; longWindow: string; shortWindow: string; active: boolean }[];
  lastEvaluation: string | null;
}

export interface ReportEntry {
  connector: string;
  name: string;
  description: string;
  target: number;
  window: string;
  from: string;
  to: string;
  /** Events in the period (probes, or what the SLI's total counts). */
  total: number;
  bad: number;
  /** 1 - bad/total; null without events. */
  availability: number | null;
  /** bad/total × the time covered by data in the period. */
  errorSeconds: number;
  /** Fraction of the window's error budget ((1 - target) × window) the period consumed. */
  budgetConsumed: number;
  budgetSeconds: number;
  /** Time the objective was breached (budget below zero) in the period. */
  breachSeconds: number;
  breaches: { from: string; to: string }[];
  covered: { from: string; to: string } | null;
}

interface WindowRt {
  nominalMs: number;
  ms: number;
  label: string;
}

interface AlertRt {
  spec: AlertSpec;
  long: WindowRt;
  short: WindowRt;
  active: boolean;
}

interface ObjectiveRt {
  spec: Objective;
  periodMs: number;
  ledger: Ledger;
  windows: WindowRt[];
  alerts: AlertRt[];
  last?: { at: number; ratios: (number | null)[]; remaining: number; errorSeconds: number };
  /** Probe objectives: counters seen, by series. */
  counters: Map<string, { total?: number; failed?: number; start: bigint }>;
  sawProbes: boolean;
}

const ISO = (ms: number): string => new Date(ms).toISOString();

function scoped(periodMs: number, nominalMs: number): WindowRt {
  const ms = scaleWindow(nominalMs, periodMs);
  return { nominalMs, ms, label: windowLabel(ms) };
}

function sumResult(r: Awaited<ReturnType<typeof evalInstant>>): number | undefined {
  if (r.resultType === 'scalar') return Number.isNaN(r.value) ? undefined : r.value;
  if (r.resultType !== 'vector' || r.result.length === 0) return undefined;
  let s = 0;
  for (const x of r.result) s += x.value;
  return s;
}

export class SloEngine {
  private readonly logger: Logger;
  readonly objectives: ObjectiveRt[];
  private readonly memory: MemoryQueryable;
  private readonly delta = new DeltaAccumulator('accumulate');
  private readonly names = new Set<string>();
  private allNames = false;
  private readonly probeIds = new Set<string>();
  private readonly outs = new Set<PipelineRouter<MetricsData>>();
  private storage?: StorageClient;
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private unregisterRules?: () => void;
  private startedAt = 0;
  private savedAt = 0;
  private dirty = false;
  private stopping = false;
  private lastSweep = 0;
  private readonly warned = new Set<string>();
  private readonly m: { evaluations: Counter; failures: Counter; events: Counter; refused: Counter; saveErrors: Counter };

  constructor(
    readonly set: CreateSettings,
    readonly cfg: Config,
  ) {
    this.logger = set.logger;
    const t = set.telemetry;
    this.m = {
      evaluations: t.counter('telemd_connector_slo_evaluations_total'),
      failures: t.counter('telemd_connector_slo_evaluation_failures_total'),
      events: t.counter('telemd_connector_slo_events_total'),
      refused: t.counter('telemd_connector_slo_window_refused_samples_total'),
      saveErrors: t.counter('telemd_connector_slo_state_save_failures_total'),
    };
    this.memory = new MemoryQueryable({ maxSeries: cfg.max_series });
    this.objectives = cfg.objectives.map((o) => {
      const periodMs = o.window;
      const nominal = [...new Set([...cfg.windows, ...(o.alerts ?? cfg.alerts).flatMap((a) => [a.long_window, a.short_window])].map(Number))].sort((a, b) => a - b);
      const windows: WindowRt[] = [];
      for (const n of nominal) {
        const w = scoped(periodMs, n);
        if (!windows.some((x) => x.ms === w.ms)) windows.push(w);
      }
      const find = (n: number | string) => windows.find((w) => w.ms === scaleWindow(Number(n), periodMs))!;
      if (o.probe) this.probeIds.add(o.probe);
      if (o.sli)
        for (const e of [o.sli.error.text, o.sli.total.text]) {
          try {
            if (!selectedNames(parseExpr(fillWindow(e, '5m')), this.names)) this.allNames = true;
          } catch {
            // refused by the config schema already
          }
        }
      return {
        spec: o,
        periodMs,
        ledger: new Ledger(bucketMs(periodMs), periodMs),
        windows,
        alerts: (o.alerts ?? cfg.alerts).map((a) => ({ spec: a, long: find(a.long_window), short: find(a.short_window), active: false })),
        counters: new Map(),
        sawProbes: false,
      };
    });
    t.observe('telemd_connector_slo_objectives', {}, () => this.objectives.length);
    t.observe('telemd_connector_slo_window_series', {}, () => this.memory.seriesCount);
    t.observe('telemd_connector_slo_ledger_buckets', {}, () => this.objectives.reduce((n, o) => n + o.ledger.size, 0));
  }

  get id(): string {
    return this.set.id.id;
  }

  addOut(r: PipelineRouter<MetricsData>): void {
    this.outs.add(r);
  }

  removeOut(r: PipelineRouter<MetricsData>): void {
    this.outs.delete(r);
  }

  // ------------------------------------------------------------------ lifecycle

  async start(host: Host): Promise<void> {
    if (this.startedAt) return;
    this.startedAt = Date.now();
    if (this.cfg.storage) {
      this.storage = await host.getStorage(this.cfg.storage, this.set.id);
      try {
        const buf = await this.storage.get(STATE_KEY);
        if (buf && buf.length > 0) this.restore(JSON.parse(buf.toString('utf8')) as { version: number; objectives: Record<string, LedgerJson> });
      } catch (e) {
        this.logger.error({ err: (e as Error).message }, 'SLO ledger in storage is unreadable; starting without it');
      }
    }
    this.unregisterRules = registerRuleGroups(this.id, this.ruleGroups());
    const interval = this.cfg.evaluation_interval;
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.tick(Date.now()).finally(() => (this.running = undefined));
    }, interval).unref();
    this.logger.info({ objectives: this.objectives.map((o) => o.spec.name), storage: this.cfg.storage ?? null }, 'slo connector evaluating');
  }

  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    clearInterval(this.timer);
    await this.running;
    this.unregisterRules?.();
    this.unregisterRules = undefined;
    if (this.startedAt) await this.save();
  }

  private restore(s: { version: number; objectives: Record<string, LedgerJson> }): void {
    if (s.version !== 1 || typeof s.objectives !== 'object') throw new Error(`unknown state version ${String(s.version)}`);
    for (const o of this.objectives) {
      const j = s.objectives[o.spec.name];
      if (j) o.ledger.load(j);
      o.ledger.prune(Date.now());
    }
  }

  private async save(): Promise<void> {
    if (!this.storage) return;
    const objectives: Record<string, LedgerJson> = {};
    for (const o of this.objectives) objectives[o.spec.name] = o.ledger.toJson();
    try {
      await this.storage.set(STATE_KEY, JSON.stringify({ version: 1, savedAt: Date.now(), objectives }));
      this.savedAt = Date.now();
      this.dirty = false;
    } catch (e) {
      this.m.saveErrors.add();
      this.logger.error({ err: (e as Error).message }, 'could not save the SLO ledger');
    }
  }

  // ------------------------------------------------------------------ rules

  /** The burn-rate alerts as Prometheus rules over the series this connector emits. */
  ruleGroups(): RuleGroupInput[] {
    const rules: Record<string, unknown>[] = [];
    for (const o of this.objectives) {
      const sel = (w: WindowRt) => `slo_burn_rate{slo=${JSON.stringify(o.spec.name)},window="${w.label}"}`;
      for (const a of o.alerts) {
        const f = a.spec.burn_rate;
        rules.push({
          alert: 'SLOErrorBudgetBurn',
          expr: `max without (window) (${sel(a.long)}) > ${f} and max without (window) (${sel(a.short)}) > ${f}`,
          ...(a.spec.for > 0 ? { for: windowLabel(a.spec.for) } : {}),
          labels: { ...o.spec.labels, slo: o.spec.name, severity: a.spec.severity, long_window: a.long.label, short_window: a.short.label },
          annotations: {
            summary: `SLO ${o.spec.name}: error budget burning {{ printf "%.1f" $value }}x over ${a.long.label} and over ${f}x over ${a.short.label}`,
            description: `${o.spec.description ? `${o.spec.description}. ` : ''}Objective ${o.spec.target}% over ${windowLabel(o.periodMs)}; at this rate the budget lasts ${windowLabel(o.periodMs)} / burn rate.`,
          },
        });
      }
    }
    if (rules.length === 0) return [];
    return [{ name: `slo:${this.id}`, interval: windowLabel(this.cfg.evaluation_interval), rules }];
  }

  // ------------------------------------------------------------------ ingest

  consume(md: MetricsData): void {
    const now = Date.now();
    if (this.probeIds.size > 0) this.countProbes(md, now);
    if (this.cfg.history === undefined && (this.allNames || this.names.size > 0)) this.ingest(md, now);
  }

  private countProbes(md: MetricsData, now: number): void {
    for (const rm of md.resourceMetrics)
      for (const sm of rm.scopeMetrics) {
        const rid = sm.scope?.attributes?.[RECEIVER_ID_ATTR];
        if (typeof rid !== 'string' || !this.probeIds.has(rid)) continue;
        for (const o of this.objectives) {
          if (o.spec.probe !== rid) continue;
          o.sawProbes = true;
          for (const m of sm.metrics) {
            const which = m.name.endsWith('.probes.failed') ? 'failed' : m.name.endsWith('.probes') ? 'total' : undefined;
            if (!which || m.type !== 'sum') continue;
            for (const p of m.dataPoints) this.countPoint(o, rm.resource.attributes, m, p, which, now);
          }
        }
      }
  }

  private countPoint(o: ObjectiveRt, res: Attributes, m: Metric, p: NumberDataPoint, which: 'total' | 'failed', now: number): void {
    const key = JSON.stringify([res['host.name'] ?? '', Object.entries(p.attributes).sort()]);
    const v = Number(p.value);
    let c = o.counters.get(key);
    // A series first seen that started with this connector (or later) counts from zero; one that
    // started before (a connector recreated by a reload) counts from its current value.
    const startMs = Number(p.startTimeUnixNano / 1_000_000n);
    if (!c || c.start !== p.startTimeUnixNano) {
      const fresh = startMs >= this.startedAt - 60_000 || c !== undefined;
      c = { start: p.startTimeUnixNano, ...(fresh ? { total: 0, failed: 0 } : {}) };
      o.counters.set(key, c);
      if (o.counters.size > 10_000) o.counters.delete(o.counters.keys().next().value!);
    }
    const prev = c[which];
    c[which] = v;
    if (prev === undefined) return;
    const d = v >= prev ? v - prev : v;
    if (d === 0) return;
    const t = Number(p.timeUnixNano / 1_000_000n) || now;
    if (which === 'total') o.ledger.add(t, 0, d);
    else o.ledger.add(t, d, 0);
    this.m.events.add(which === 'total' ? d : 0);
    this.dirty = true;
  }

  /** PromQL SLIs over the connector's own window: the selected series, as the prometheus exporter names them. */
  private ingest(md: MetricsData, now: number): void {
    try {
      let data = md;
      if (needsRewrite(md)) {
        data = structuredClone(md);
        this.delta.apply(data, now);
      }
      const res = translateMetrics(data, { addMetricSuffixes: true, resourceToTelemetry: false, targetInfo: false, scopeLabels: false, now: () => now });
      for (const f of res.families) {
        if (!this.allNames && !this.names.has(f.name)) continue;
        for (const s of f.samples) {
          const labels: Record<string, string> = {};
          for (const l of s.labels) labels[l.name] = l.value;
          const r = this.memory.append(labels, s.timestampMs, s.stale ? STALE_NAN : s.value);
          if (r !== 'ok' && r !== 'duplicate') this.m.refused.add();
        }
      }
    } catch (e) {
      this.warnOnce('ingest', `slo connector could not read a metrics batch: ${(e as Error).message}`);
    }
    if (now - this.lastSweep > 10_000) {
      this.lastSweep = now;
      let keep = 0;
      for (const o of this.objectives) if (o.spec.sli) keep = Math.max(keep, ...o.windows.map((w) => w.ms), o.ledger.bucketMs);
      this.memory.dropBefore(now - keep - this.cfg.lookback_delta - 2 * this.cfg.evaluation_interval);
    }
  }

  private warnOnce(key: string, msg: string, ctx: Record<string, unknown> = {}): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.logger.warn(ctx, msg);
  }

  // ------------------------------------------------------------------ evaluation

  private queryable(): Queryable | undefined {
    if (this.cfg.history === undefined) return this.memory;
    const st = storeFor(this.cfg.history);
    if (!st) this.warnOnce(`history:${this.cfg.history}`, `slo connector: history store "${this.cfg.history}" is not running; PromQL SLIs have no data`);
    return st;
  }

  private async sli(o: ObjectiveRt, q: Queryable, windowMs: number, at: number): Promise<{ e: number; t: number } | undefined> {
    const w = windowLabel(windowMs);
    const opts = { lookbackDeltaMs: this.cfg.lookback_delta, timeoutMs: 10_000 };
    const [e, t] = await Promise.all([evalInstant(q, fillWindow(o.spec.sli!.error.text, w), at, opts), evalInstant(q, fillWindow(o.spec.sli!.total.text, w), at, opts)]);
    const tv = sumResult(t);
    if (tv === undefined) return undefined;
    // No error series (nothing failed yet) is no errors.
    return { e: sumResult(e) ?? 0, t: tv };
  }

  async tick(now: number): Promise<void> {
    const groups: { o: ObjectiveRt; ratios: (number | null)[]; remaining: number }[] = [];
    for (const o of this.objectives) {
      try {
        groups.push({ o, ...(await this.evaluate(o, now)) });
        this.m.evaluations.add();
      } catch (e) {
        this.m.failures.add();
        this.warnOnce(`eval:${o.spec.name}:${(e as Error).message}`, 'SLO evaluation failed', { slo: o.spec.name, err: (e as Error).message });
      }
    }
    this.emit(groups, now);
    if (this.storage && this.dirty && now - this.savedAt >= 10_000) await this.save();
  }

  private async evaluate(o: ObjectiveRt, now: number): Promise<{ ratios: (number | null)[]; remaining: number }> {
    const L = o.ledger;
    let ratios: (number | null)[];
    if (o.spec.sli) {
      const q = this.queryable();
      if (q) {
        // Buckets that ended at least one evaluation interval ago (their samples have arrived).
        const due = L.bucketOf(now - this.cfg.evaluation_interval);
        let b = Math.max(L.accounted, due - 600 * L.bucketMs, this.startedAt > 0 ? L.bucketOf(this.startedAt - this.cfg.evaluation_interval) : 0);
        for (; b + L.bucketMs <= due + L.bucketMs && b < due; b += L.bucketMs) {
          const r = await this.sli(o, q, L.bucketMs, b + L.bucketMs);
          if (r) {
            L.add(b, r.e, r.t);
            this.m.events.add();
            this.dirty = true;
          }
        }
        L.accounted = Math.max(L.accounted, due);
        ratios = [];
        for (const w of o.windows) {
          const r = await this.sli(o, q, w.ms, now);
          ratios.push(r && r.t > 0 ? r.e / r.t : null);
        }
      } else ratios = o.windows.map(() => null);
    } else {
      if (!o.sawProbes && now - this.startedAt > 3 * 60_000)
        this.warnOnce(`noprobe:${o.spec.probe}`, `slo: no probes of ${o.spec.probe} arrived; put that receiver in a metrics pipeline that exports to this connector`, { slo: o.spec.name });
      ratios = L.windowSums(now, o.windows.map((w) => w.ms)).map((s) => (s.t > 0 ? s.e / s.t : null));
    }
    L.prune(now);
    const { errorSeconds, remaining } = this.budget(o, now - o.periodMs, now);
    if (remaining < 0) L.breach(now, 2 * this.cfg.evaluation_interval + 1000);
    for (const a of o.alerts) {
      const rl = ratios[o.windows.indexOf(a.long)];
      const rs = ratios[o.windows.indexOf(a.short)];
      const f = (1 - o.spec.target / 100) * a.spec.burn_rate;
      a.active = rl != null && rs != null && rl > f && rs > f;
    }
    o.last = { at: now, ratios, remaining, errorSeconds };
    return { ratios, remaining };
  }

  /** Error time and budget over [from, to): bad/total × the time covered by data. */
  private budget(o: ObjectiveRt, from: number, to: number): { errorSeconds: number; remaining: number; consumed: number; bad: number; total: number; covered?: [number, number] } {
    const s = o.ledger.sums(o.ledger.bucketOf(from), to);
    const budgetSeconds = ((1 - o.spec.target / 100) * o.periodMs) / 1000;
    if (!(s.t > 0) || s.first === undefined) return { errorSeconds: 0, remaining: 1, consumed: 0, bad: s.e, total: s.t };
    const a = Math.max(from, s.first);
    const b = Math.min(to, s.last ?? to);
    const errorSeconds = (s.e / s.t) * Math.max(0, b - a) / 1000;
    const consumed = errorSeconds / budgetSeconds;
    return { errorSeconds, remaining: 1 - consumed, consumed, bad: s.e, total: s.t, covered: [a, b] };
  }

  private emit(groups: { o: ObjectiveRt; ratios: (number | null)[]; remaining: number }[], now: number): void {
    if (this.outs.size === 0 || groups.length === 0) return;
    const tNs = BigInt(now) * 1_000_000n;
    const pts = { objective: [] as NumberDataPoint[], ratio: [] as NumberDataPoint[], burn: [] as NumberDataPoint[], remaining: [] as NumberDataPoint[] };
    const pt = (attributes: Attributes, value: number): NumberDataPoint => ({ attributes, startTimeUnixNano: 0n, timeUnixNano: tNs, value });
    for (const { o, ratios, remaining } of groups) {
      const name = o.spec.name;
      pts.objective.push(pt({ slo: name, 'slo.window': windowLabel(o.periodMs) }, o.spec.target / 100));
      pts.remaining.push(pt({ slo: name }, remaining));
      const allowed = 1 - o.spec.target / 100;
      o.windows.forEach((w, i) => {
        const r = ratios[i];
        if (r == null) return;
        pts.ratio.push(pt({ slo: name, window: w.label }, r));
        pts.burn.push(pt({ slo: name, window: w.label }, r / allowed));
      });
    }
    const metrics: Metric[] = [
      { name: 'slo.objective', description: 'The objective: the share of good events it requires', unit: '1', type: 'gauge', dataPoints: pts.objective },
      { name: 'slo.error_ratio', description: 'Share of bad events over the window', unit: '1', type: 'gauge', dataPoints: pts.ratio },
      { name: 'slo.burn_rate', description: 'Error ratio over the window divided by the error budget (1 - objective): 1 spends the budget in exactly the objective window', unit: '', type: 'gauge', dataPoints: pts.burn },
      { name: 'slo.error_budget.remaining', description: 'Share of the error budget of the objective window left (negative: the objective is breached)', unit: '1', type: 'gauge', dataPoints: pts.remaining },
    ];
    const md: MetricsData = {
      resourceMetrics: [{ resource: { attributes: hostResource({}) }, scopeMetrics: [{ scope: { name: 'telemd/connector/slo', attributes: { 'telemd.connector.id': this.id } }, metrics: metrics.filter((m) => 'dataPoints' in m && m.dataPoints.length > 0) }] }],
    };
    for (const r of this.outs) r.consume(md).catch((e: unknown) => this.logger.debug({ err: String(e) }, 'metrics pipeline refused SLO series'));
  }

  // ------------------------------------------------------------------ views

  status(): ObjectiveView[] {
    return this.objectives.map((o) => {
      const b = this.budget(o, (o.last?.at ?? Date.now()) - o.periodMs, o.last?.at ?? Date.now());
      const allowed = 1 - o.spec.target / 100;
      return {
        connector: this.id,
        name: o.spec.name,
        description: o.spec.description,
        target: o.spec.target,
        window: windowLabel(o.periodMs),
        sli: o.spec.sli ? { error: o.spec.sli.error.text, total: o.spec.sli.total.text } : { probe: o.spec.probe! },
        windows: o.windows.map((w, i) => {
          const r = o.last?.ratios[i] ?? null;
          return { window: w.label, nominal: windowLabel(w.nominalMs), errorRatio: r, burnRate: r == null ? null : r / allowed };
        }),
        budgetRemaining: b.remaining,
        errorSeconds: b.errorSeconds,
        budgetSeconds: (allowed * o.periodMs) / 1000,
        breached: b.remaining < 0,
        alerts: o.alerts.map((a) => ({ severity: a.spec.severity, burnRate: a.spec.burn_rate, longWindow: a.long.label, shortWindow: a.short.label, active: a.active })),
        lastEvaluation: o.last ? ISO(o.last.at) : null,
      };
    });
  }

  report(from: number, to: number): ReportEntry[] {
    return this.objectives.map((o) => {
      const b = this.budget(o, from, to);
      const breaches = o.ledger.breaches.filter(([a, z]) => z >= from && a < to).map(([a, z]) => [Math.max(a, from), Math.min(z, to)] as const);
      return {
        connector: this.id,
        name: o.spec.name,
        description: o.spec.description,
        target: o.spec.target,
        window: windowLabel(o.periodMs),
        from: ISO(from),
        to: ISO(to),
        total: b.total,
        bad: b.bad,
        availability: b.total > 0 ? 1 - b.bad / b.total : null,
        errorSeconds: b.errorSeconds,
        budgetConsumed: b.consumed,
        budgetSeconds: ((1 - o.spec.target / 100) * o.periodMs) / 1000,
        breachSeconds: breaches.reduce((n, [a, z]) => n + (z - a) / 1000, 0),
        breaches: breaches.map(([a, z]) => ({ from: ISO(a), to: ISO(z) })),
        covered: b.covered ? { from: ISO(b.covered[0]), to: ISO(b.covered[1]) } : null,
      };
    });
  }
}
