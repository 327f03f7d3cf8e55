// The alerts connector at run time: the window of series, the rule groups on their timers,
// transitions out as log records, Alertmanager and webhook delivery, acknowledgements and
// resolutions by hand, and the state that survives restarts. One engine per connector id is
// shared by its signal pairs (metrics → logs, metrics → metrics).
import { userInfo } from 'node:os';
import type { Logger } from 'pino';
import type { CreateSettings, Host, PipelineRouter } from '../../src/component/component.js';
import type { StorageClient } from '../../src/component/storage.js';
import { isPermanent } from '../../src/component/consumer.js';
import type { LogRecord, LogsData, MetricsData } from '../../src/pdata/types.js';
import { groupOffsetMs, RuleGroup, type GroupEvalResult } from '../../src/alerting/group.js';
import { AlertingRule, RESOLVED_RETENTION_MS, pushHistory, withExternal, type Alert, type Rule } from '../../src/alerting/rule.js';
import { parseRuleFile, selectedNames, lookbehindMs, type GroupSpec } from '../../src/alerting/rulefmt.js';
import { onProvidedGroupsChange, providedGroups } from '../../src/alerting/providers.js';
import { parseExpr } from '../../src/promql/index.js';
import type { Counter, Gauge } from '../../src/telemetry/self.js';
import { Coalescer } from '../../src/util/coalescer.js';
import { Backoff, sleep } from '../../src/exporterhelper/backoff.js';
import type { Config } from './config.js';
import { AlertWindow } from './window.js';
import { AlertmanagerTarget, makeClient, type AmAlert } from './notifier.js';
import { WebhookTarget, webhookMessage, ZERO_TIME, type WebhookAlert } from './webhook.js';
import { alertRecord, alertView, logsData, metricsData, type AlertView, type RecordEvent, type RuleRef } from './records.js';
import { STOCK_RULES, STOCK_RULES_ORIGIN } from './stock-rules.js';
import { HttpError } from './http.js';
import { loadState, saveState, type SavedState, type ResolvedEntry } from './state.js';

const STATE_KEY = 'alerts-state';
const RESOLVED_KEEP = 1000;
const RESOLVED_KEEP_MS = 7 * 86_400_000;
const LOG_PENDING_MAX = 10_000;

let stockGroups: GroupSpec[] | undefined;
function stock(): GroupSpec[] {
  if (!stockGroups) {
    const r = parseRuleFile(STOCK_RULES_ORIGIN, STOCK_RULES);
    if (r.errors.length > 0) throw new Error(`stock rules are invalid: ${r.errors.map((e) => e.message).join('; ')}`);
    stockGroups = r.groups;
  }
  return stockGroups;
}

/** What `ack` and `resolve` are given (the console API fills it from the request). */
export interface ActionInput {
  by?: string;
  comment?: string;
  forMs?: number;
  /** Who made the request (token, session user). */
  principal?: string;
}

export class ActionError extends Error {
  constructor(
    readonly kind: 'not_found' | 'conflict' | 'bad_data',
    message: string,
  ) {
    super(message);
  }
}

interface GroupRuntime {
  group: RuleGroup;
  timer?: NodeJS.Timeout;
  running?: Promise<void>;
  nextMs: number;
}

interface LogOut {
  router: PipelineRouter<LogsData>;
  pending: LogRecord[];
  pumping: boolean;
  backoff: Backoff;
}

interface SilenceExpiry {
  am: string;
  id: string;
  nextTry: number;
  tries: number;
}

export class AlertsEngine {
  readonly window: AlertWindow;
  private readonly logger: Logger;
  private groups: GroupRuntime[] = [];
  private readonly logsOut: LogOut[] = [];
  private readonly metricsOut = new Set<PipelineRouter<MetricsData>>();
  private readonly seen = new WeakSet<object>();
  private storage?: StorageClient;
  private readonly saver: Coalescer;
  private readonly ams: AlertmanagerTarget[];
  private readonly webhooks: WebhookTarget[];
  private startedAt = 0;
  private stopping = false;
  private unsubscribe?: () => void;
  private resolvedLog: ResolvedEntry[] = [];
  private expiries: SilenceExpiry[] = [];
  private silenceBusy = false;
  private readonly silenceNext = new Map<string, number>();
  private readonly warnedRules = new Map<string, string>();
  /** Alerts restored from storage whose rule no longer exists (resolved at start). */
  private orphans: { alert: Alert; rule: RuleRef }[] = [];
  private readonly m: {
    evaluations: Counter;
    failures: Counter;
    missed: Counter;
    evalSeconds: Counter;
    ingested: Counter;
    refused: Counter;
    templateErrors: Counter;
    records: Counter;
    recordsFailed: Counter;
    recordsDropped: Counter;
    silences: Counter;
    silenceErrors: Counter;
    lastDuration: Gauge;
  };
  private starting?: Promise<void>;
  private started = 0;
  /** Acks, resolutions by hand or silence changes not saved yet. */
  private dirty = false;
  private savedAt = 0;

  constructor(
    private readonly set: CreateSettings,
    readonly cfg: Config,
  ) {
    this.logger = set.logger;
    const t = set.telemetry;
    this.m = {
      evaluations: t.counter('telemd_connector_alerts_rule_evaluations_total'),
      failures: t.counter('telemd_connector_alerts_rule_evaluation_failures_total'),
      missed: t.counter('telemd_connector_alerts_group_iterations_missed_total'),
      evalSeconds: t.counter('telemd_connector_alerts_evaluation_seconds_total'),
      ingested: t.counter('telemd_connector_alerts_window_samples_total'),
      refused: t.counter('telemd_connector_alerts_window_refused_samples_total'),
      templateErrors: t.counter('telemd_connector_alerts_template_errors_total'),
      records: t.counter('telemd_connector_alerts_log_records_total'),
      recordsFailed: t.counter('telemd_connector_alerts_log_records_retried_total'),
      recordsDropped: t.counter('telemd_connector_alerts_log_records_dropped_total'),
      silences: t.counter('telemd_connector_alerts_silences_total'),
      silenceErrors: t.counter('telemd_connector_alerts_silence_errors_total'),
      lastDuration: t.gauge('telemd_connector_alerts_last_evaluation_seconds'),
    };
    for (const st of ['pending', 'firing', 'acknowledged', 'resolved'] as const)
      t.observe('telemd_connector_alerts_alerts', { state: st }, () => this.countState(st));
    t.observe('telemd_connector_alerts_window_series', {}, () => this.window.store.seriesCount);
    t.observe('telemd_connector_alerts_rules', {}, () => this.groups.reduce((n, g) => n + g.group.rules.length, 0));
    this.window = new AlertWindow(60_000, cfg.max_series);
    this.saver = new Coalescer(() => this.save());
    const client = makeClient(cfg.alertmanager);
    this.ams = cfg.alertmanager.endpoints.map(
      (ep) =>
        new AlertmanagerTarget(ep, cfg.alertmanager.path_prefix, client, { capacity: cfg.alertmanager.queue_capacity, batchSize: cfg.alertmanager.max_batch_size, retry: cfg.alertmanager.retry_on_failure }, this.logger, t),
    );
    this.webhooks = cfg.webhook.map((w) => new WebhookTarget(w, this.logger, t));
  }

  // ------------------------------------------------------------------------------ lifecycle

  addLogs(router: PipelineRouter<LogsData>): void {
    if (!this.logsOut.some((o) => o.router === router))
      this.logsOut.push({ router, pending: [], pumping: false, backoff: new Backoff({ initial_interval: 500, max_interval: 30_000, multiplier: 2, randomization_factor: 0.2 }) });
  }

  removeLogs(router: PipelineRouter<LogsData>): void {
    const i = this.logsOut.findIndex((o) => o.router === router);
    if (i >= 0) this.logsOut.splice(i, 1);
  }

  addMetrics(router: PipelineRouter<MetricsData>): void {
    this.metricsOut.add(router);
  }

  removeMetrics(router: PipelineRouter<MetricsData>): void {
    this.metricsOut.delete(router);
  }

  async start(host: Host): Promise<void> {
    this.started++;
    if (this.started > 1) return this.starting;
    this.starting = this.doStart(host);
    return this.starting;
  }

  private async doStart(host: Host): Promise<void> {
    this.startedAt = Date.now();
    if (this.cfg.storage) this.storage = await host.getStorage(this.cfg.storage, this.set.id);
    this.buildGroups();
    let saved: SavedState | undefined;
    if (this.storage) {
      try {
        saved = loadState(await this.storage.get(STATE_KEY));
      } catch (e) {
        this.logger.error({ err: (e as Error).message }, 'alert state in storage is unreadable; starting without it');
      }
    }
    if (saved) this.restore(saved);
    this.unsubscribe = onProvidedGroupsChange(() => this.buildGroups());
    for (const g of this.groups) this.schedule(g);
    const rules = this.groups.reduce((n, g) => n + g.group.rules.length, 0);
    this.logger.info(
      { groups: this.groups.length, rules, alertmanagers: this.ams.map((a) => a.url), restored: saved ? this.allAlerts().length : 0 },
      'alerts connector evaluating',
    );
    if (this.orphans.length > 0) await this.resolveOrphans();
  }

  async stop(budgetMs = 5000): Promise<void> {
    this.started = Math.max(0, this.started - 1);
    if (this.started > 0) return;
    this.stopping = true;
    this.unsubscribe?.();
    for (const g of this.groups) clearTimeout(g.timer);
    const deadline = Date.now() + Math.max(500, budgetMs);
    await Promise.race([Promise.all(this.groups.map((g) => g.running)), sleep(Math.max(0, deadline - Date.now() - 1000))]);
    try {
      await this.saver.run();
    } catch (e) {
      this.logger.error({ err: (e as Error).message }, 'could not save the alert state');
    }
    // Deliver what is queued if the Alertmanagers answer quickly; what is left is re-sent after
    // the restart (firing alerts every resend_delay, resolved ones for 15 minutes).
    const left = Math.min(2000, Math.max(0, deadline - Date.now()));
    await Promise.all([...this.ams.map((a) => a.queue.drain(left)), ...this.webhooks.map((w) => w.queue.drain(left))]);
    for (const a of this.ams) a.queue.close();
    for (const w of this.webhooks) w.close();
  }

  // ------------------------------------------------------------------------------ groups

  private groupSpecs(): GroupSpec[] {
    const specs: GroupSpec[] = [];
    if (this.cfg.stock_rules) specs.push(...stock());
    for (const f of this.cfg.rule_files.files) specs.push(...f.groups);
    specs.push(...this.cfg.rules.groups, ...providedGroups());
    return specs;
  }

  /** (Re)builds the groups; a group whose key and rules are unchanged keeps its state. */
  private buildGroups(): void {
    const specs = this.groupSpecs();
    const old = new Map(this.groups.map((g) => [g.group.key, g]));
    const next: GroupRuntime[] = [];
    const seenKeys = new Set<string>();
    for (const spec of specs) {
      const key = `${spec.origin.file};${spec.name}`;
      if (seenKeys.has(key)) {
        this.logger.warn({ group: spec.name, file: spec.origin.file }, 'two rule groups with the same name in one source; the second is ignored');
        continue;
      }
      seenKeys.add(key);
      const prev = old.get(key);
      if (prev && sameRules(prev.group.spec, spec)) {
        next.push(prev);
        old.delete(key);
        continue;
      }
      const group = new RuleGroup(spec, {
        key,
        intervalMs: spec.intervalMs ?? this.cfg.evaluation_interval,
        externalLabels: this.cfg.external_labels,
        externalURL: this.cfg.external_url,
        query: { lookbackDeltaMs: this.cfg.lookback_delta },
        isWarm: (r) => this.isWarm(r, spec.intervalMs ?? this.cfg.evaluation_interval),
        onTemplateError: (rule, error) => {
          this.m.templateErrors.add();
          this.warnRule(`${key}/${rule}/tmpl`, error, { group: spec.name, rule }, 'alert template failed to expand');
        },
      });
      if (prev) carryOver(prev.group, group);
      const rt: GroupRuntime = { group, nextMs: 0 };
      next.push(rt);
      if (this.startedAt && !this.stopping) this.schedule(rt);
    }
    for (const g of old.values()) {
      clearTimeout(g.timer);
      // A removed group's firing alerts are resolved at Alertmanager.
      for (const r of g.group.alertingRules()) for (const a of r.active.values()) if (a.state !== 'inactive') this.orphans.push({ alert: a, rule: this.ruleRef(g.group, r) });
    }
    this.groups = next;
    this.updateWindow();
    if (this.orphans.length > 0 && this.startedAt) void this.resolveOrphans();
  }

  private updateWindow(): void {
    let all = false;
    const names = new Set<string>(['ALERTS', 'ALERTS_FOR_STATE']);
    let back = 0;
    let maxInterval = 0;
    for (const { group } of this.groups) {
      if (!group.fixedNames) all = true;
      for (const n of group.names) names.add(n);
      for (const r of group.rules) {
        if (r.kind === 'record') names.add(r.name);
        for (const t of r.spec.annotationTemplates.values()) if (!templateQueries(t.text, names, (ms) => (back = Math.max(back, ms)))) all = true;
        for (const t of r.spec.labelTemplates.values()) if (!templateQueries(t.text, names, (ms) => (back = Math.max(back, ms)))) all = true;
      }
      back = Math.max(back, group.lookbehindMs);
      maxInterval = Math.max(maxInterval, group.opts.intervalMs);
    }
    this.window.setNames(all ? undefined : names);
    const retention = Math.max(60_000, back + this.cfg.lookback_delta + 2 * maxInterval);
    this.window.retentionMs = retention;
  }

  private schedule(g: GroupRuntime): void {
    clearTimeout(g.timer);
    const interval = g.group.opts.intervalMs;
    const offset = groupOffsetMs(g.group.key, interval);
    const now = Date.now();
    let next = Math.floor((now - offset) / interval) * interval + offset;
    if (next <= now) next += interval;
    g.nextMs = next;
    const fire = () => {
      const due = g.nextMs;
      const t = Date.now();
      g.nextMs = due + interval;
      // Iterations the timer slept through are counted, not caught up.
      while (g.nextMs <= t) {
        g.nextMs += interval;
        this.m.missed.add();
      }
      if (!this.stopping) g.timer = setTimeout(fire, g.nextMs - Date.now()).unref();
      if (g.running) {
        this.m.missed.add();
        return;
      }
      g.running = this.tick(g.group, due).finally(() => (g.running = undefined));
    };
    g.timer = setTimeout(fire, next - now).unref();
  }

  private isWarm(rule: Rule, intervalMs: number): boolean {
    const now = Date.now();
    if (now - this.startedAt >= this.cfg.lookback_delta) return true;
    const names = new Set<string>();
    const fixed = selectedNames(rule.spec.ast, names);
    if (!fixed || names.size === 0) return this.window.lastIngestMs > this.startedAt && now - this.startedAt >= 2 * intervalMs;
    for (const n of names) if ((this.window.lastSeen.get(n) ?? 0) < this.startedAt) return false;
    return true;
  }

  // ------------------------------------------------------------------------------ ingest

  consume(md: MetricsData): void {
    // Both signal pairs of the connector get the same batch; it is read once.
    if (this.seen.has(md)) return;
    this.seen.add(md);
    try {
      const r = this.window.ingest(md);
      this.m.ingested.add(r.appended);
      if (r.refused) this.m.refused.add(r.refused);
    } catch (e) {
      this.logger.error({ err: (e as Error).message }, 'alerts connector could not read a metrics batch');
    }
  }

  // ------------------------------------------------------------------------------ evaluation

  /** One evaluation at its scheduled time (Prometheus evaluates at the aligned timestamp too). */
  private async tick(group: RuleGroup, due: number): Promise<void> {
    if (this.stopping) return;
    const now = due;
    let res: GroupEvalResult;
    try {
      this.window.sweep(now);
      this.window.appendSelf(this.set.telemetry.registry, now);
      res = await group.evaluate(this.window.store, now);
    } catch (e) {
      this.logger.error({ err: (e as Error).message, group: group.name }, 'rule group evaluation failed');
      return;
    }
    this.m.evaluations.add(res.evaluated);
    this.m.evalSeconds.add(res.durationMs / 1000);
    this.m.lastDuration.set(res.durationMs / 1000);
    for (const f of res.failures) {
      this.m.failures.add();
      this.warnRule(`${group.key}/${f.rule}`, f.error, { group: group.name, rule: f.rule }, 'rule evaluation failed');
    }
    const records: LogRecord[] = [];
    const hooks = new Map<string, WebhookAlert[]>();
    for (const t of res.transitions) {
      const rule = this.ruleOf(group, t.alert);
      const ref = rule ? this.ruleRef(group, rule) : undefined;
      const name = ref?.name ?? t.alert.labels.alertname ?? '';
      const to: RecordEvent = t.to === 'resolved' ? 'resolved' : t.to === 'inactive' ? 'inactive' : t.to;
      records.push(alertRecord(t.alert, to, t.from, res.ts, { group: group.name, rule: name, labels: this.sentLabels(t.alert) }, t.reason ? { reason: t.reason } : {}));
      if (to === 'firing' && !t.alert.ack) this.hook(hooks, name, t.alert, res.ts);
      if (to === 'resolved') {
        if (!t.alert.ack) this.hook(hooks, name, t.alert, res.ts);
        if (t.alert.ack) this.endAck(t.alert, res.ts, 'resolved');
        if (ref) this.logResolved(t.alert, ref);
      }
    }
    // Acknowledgements that ran out: notify again.
    for (const r of group.alertingRules())
      for (const a of r.active.values()) {
        if (a.ack && now >= a.ack.until) {
          const ack = a.ack;
          this.endAck(a, now, 'expired');
          this.dirty = true;
          records.push(alertRecord(a, 'unacknowledged', a.state, now, { group: group.name, rule: r.name, labels: this.sentLabels(a) }, { 'acknowledged.by': ack.by, reason: 'acknowledgement expired' }));
          if (a.state === 'firing') this.hook(hooks, r.name, a, now);
        }
        // Repeats of still-firing alerts for webhooks.
        if (a.state === 'firing' && !a.ack && this.webhooks.length > 0) {
          const last = (a as Alert & { notifiedAt?: number }).notifiedAt ?? 0;
          const repeat = Math.min(...this.webhooks.map((w) => w.cfg.repeat_interval));
          if (last > 0 && now - last >= repeat) this.hook(hooks, r.name, a, now);
        }
      }
    this.emitRecords(records);
    this.sendWebhooks(hooks);
    this.notify(group, res.ts);
    if (res.output.length > 0 && this.metricsOut.size > 0) {
      const md = metricsData(res.output, res.ts);
      for (const r of this.metricsOut) r.consume(md).catch((e: unknown) => this.logger.debug({ err: String(e) }, 'metrics pipeline refused rule output'));
    }
    void this.syncSilences();
    // Saved when something changed (a transition, an ack that ran out), else once a minute (the
    // last-sent times, so a restart does not re-send at once); not every evaluation.
    if (this.storage && (res.transitions.length > 0 || this.dirty || Date.now() - this.savedAt >= 60_000)) {
      this.dirty = false;
      this.savedAt = Date.now();
      this.saver.run().catch((e: unknown) => this.logger.error({ err: String(e) }, 'could not save the alert state'));
    }
  }

  private warnRule(key: string, error: string, ctx: Record<string, string>, msg: string): void {
    if (this.warnedRules.get(key) === error) return;
    if (this.warnedRules.size > 1000) this.warnedRules.clear();
    this.warnedRules.set(key, error);
    this.logger.warn({ ...ctx, err: error }, msg);
  }

  /** Alert labels as Alertmanager sees them. */
  private sentLabels(a: Alert): Record<string, string> {
    return withExternal(a.labels, this.cfg.external_labels);
  }

  private ruleOf(group: RuleGroup, a: Alert): AlertingRule | undefined {
    return group.alertingRules().find((r) => r.active.get(a.fp) === a);
  }

  private ruleRef(group: RuleGroup, r: Rule): RuleRef {
    return { group: group.name, file: group.spec.origin.file, name: r.name, expr: r.spec.expr, forMs: r.spec.forMs, keepFiringForMs: r.spec.keepFiringForMs };
  }

  private generatorURL(expr: string): string {
    if (!this.cfg.external_url) return '';
    return `${this.cfg.external_url.replace(/\/$/, '')}/graph?g0.expr=${encodeURIComponent(expr)}&g0.tab=1`;
  }

  /** Prometheus' sendAlerts: what needs sending goes to every Alertmanager. */
  private notify(group: RuleGroup, ts: number): void {
    if (this.ams.length === 0) return;
    const resend = this.cfg.alertmanager.resend_delay;
    const delta = Math.max(group.opts.intervalMs, resend);
    const out: { item: AmAlert; key: string; resolved: boolean }[] = [];
    for (const r of group.alertingRules())
      for (const a of r.active.values()) {
        if (!AlertingRule.needsSending(a, ts, resend)) continue;
        if (a.state === 'inactive' && a.resolvedAt !== undefined && ts - a.resolvedAt > RESOLVED_RETENTION_MS) continue;
        a.lastSentAt = ts;
        a.validUntil = ts + 4 * delta;
        out.push({ item: this.amAlert(a, r.spec.expr), key: a.fp, resolved: a.state === 'inactive' });
      }
    if (out.length > 0) for (const am of this.ams) am.queue.push(out);
  }

  private amAlert(a: Alert, expr: string): AmAlert {
    const resolved = a.state === 'inactive';
    const x: AmAlert = {
      labels: this.sentLabels(a),
      annotations: a.annotations,
      startsAt: new Date(a.firedAt ?? a.activeAt).toISOString(),
      endsAt: new Date(resolved ? (a.resolvedAt ?? Date.now()) : (a.validUntil ?? Date.now())).toISOString(),
    };
    const g = this.generatorURL(expr);
    if (g) x.generatorURL = g;
    return x;
  }

  private hook(into: Map<string, WebhookAlert[]>, name: string, a: Alert, now: number): void {
    if (this.webhooks.length === 0) return;
    (a as Alert & { notifiedAt?: number }).notifiedAt = now;
    const resolved = a.state === 'inactive';
    const w: WebhookAlert = {
      status: resolved ? 'resolved' : 'firing',
      labels: this.sentLabels(a),
      annotations: a.annotations,
      startsAt: new Date(a.firedAt ?? a.activeAt).toISOString(),
      endsAt: resolved ? new Date(a.resolvedAt ?? now).toISOString() : ZERO_TIME,
      generatorURL: this.generatorURL(this.findRule(a)?.rule.spec.expr ?? ''),
      fingerprint: a.fp,
    };
    let list = into.get(name);
    if (!list) into.set(name, (list = []));
    list.push(w);
  }

  private sendWebhooks(hooks: Map<string, WebhookAlert[]>): void {
    for (const w of this.webhooks) {
      const msgs = [];
      for (const [name, alerts] of hooks) {
        const list = w.cfg.send_resolved ? alerts : alerts.filter((a) => a.status === 'firing');
        if (list.length > 0) msgs.push(webhookMessage(name, list, w.cfg.max_alerts, this.cfg.external_url, 'telemd'));
      }
      if (msgs.length > 0) w.send(msgs);
    }
  }

  // ------------------------------------------------------------------------------ log records

  private emitRecords(records: LogRecord[]): void {
    if (records.length === 0) return;
    this.m.records.add(records.length);
    for (const o of this.logsOut) {
      o.pending.push(...records);
      if (o.pending.length > LOG_PENDING_MAX) {
        const over = o.pending.length - LOG_PENDING_MAX;
        o.pending.splice(0, over);
        this.m.recordsDropped.add(over);
        this.logger.warn({ dropped: over }, 'logs pipeline has refused alert records for too long: the oldest are dropped');
      }
      void this.pump(o);
    }
  }

  private async pump(o: LogOut): Promise<void> {
    if (o.pumping) return;
    o.pumping = true;
    try {
      while (o.pending.length > 0 && this.logsOut.includes(o)) {
        const batch = o.pending.slice(0, 1000);
        try {
          await o.router.consume(logsData(batch, { 'service.name': 'telemd', ...this.cfg.external_labels }));
          o.pending.splice(0, batch.length);
          o.backoff.reset();
        } catch (e) {
          if (isPermanent(e)) {
            o.pending.splice(0, batch.length);
            this.m.recordsDropped.add(batch.length);
            this.logger.error({ err: String(e), records: batch.length }, 'logs pipeline refused alert records; they are dropped');
            continue;
          }
          this.m.recordsFailed.add(batch.length);
          if (this.stopping) return;
          await sleep(o.backoff.next());
        }
      }
    } finally {
      o.pumping = false;
    }
  }

  // ------------------------------------------------------------------------------ acks

  private allAlerts(): { alert: Alert; rule: AlertingRule; group: RuleGroup }[] {
    const out: { alert: Alert; rule: AlertingRule; group: RuleGroup }[] = [];
    for (const { group } of this.groups) for (const r of group.alertingRules()) for (const a of r.active.values()) out.push({ alert: a, rule: r, group });
    return out;
  }

  private findRule(a: Alert): { rule: AlertingRule; group: RuleGroup } | undefined {
    for (const { group } of this.groups) for (const r of group.alertingRules()) if (r.active.get(a.fp) === a) return { rule: r, group };
    return undefined;
  }

  private countState(st: 'pending' | 'firing' | 'acknowledged' | 'resolved'): number {
    let n = 0;
    for (const { alert: a } of this.allAlerts()) {
      if (st === 'acknowledged') n += a.ack && a.state !== 'inactive' ? 1 : 0;
      else if (st === 'resolved') n += a.state === 'inactive' && a.firedAt !== undefined ? 1 : 0;
      else n += a.state === st ? 1 : 0;
    }
    return n;
  }

  /** The acknowledging user: --by, else the request's principal, else the agent's OS user. */
  private who(input: ActionInput): string {
    if (input.by && input.by.trim() !== '') return input.by.trim().slice(0, 200);
    if (input.principal) return input.principal;
    try {
      return userInfo().username;
    } catch {
      return 'unknown';
    }
  }

  /** Acknowledges the active alerts with this fingerprint (or alert name). */
  ack(target: string, input: ActionInput): AlertView[] {
    const forMs = input.forMs ?? 4 * 3_600_000;
    if (!(forMs > 0) || forMs > 365 * 86_400_000) throw new ActionError('bad_data', `for: must be between 1ms and 1y`);
    const matches = this.allAlerts().filter(({ alert: a }) => a.state !== 'inactive' && (a.fp === target || (a.labels.alertname === target && !/^[0-9a-f]{16}$/.test(target))));
    if (matches.length === 0) {
      const known = this.allAlerts().some(({ alert: a }) => a.fp === target || a.labels.alertname === target);
      throw new ActionError(known ? 'conflict' : 'not_found', known ? `${target}: the alert is not active (resolved alerts cannot be acknowledged)` : `no active alert with fingerprint or name ${target}`);
    }
    const now = Date.now();
    const by = this.who(input);
    const comment = (input.comment ?? '').slice(0, 2000);
    const records: LogRecord[] = [];
    for (const { alert: a, rule, group } of matches) {
      if (a.ack) this.endAck(a, now, 'replaced');
      a.ack = { by, at: now, until: now + forMs, comment, silences: Object.fromEntries(this.ams.map((am) => [am.url, { state: 'pending' as const }])) };
      pushHistory(a, { at: now, event: 'acknowledged', by, comment });
      records.push(alertRecord(a, 'acknowledged', a.state, now, { group: group.name, rule: rule.name, labels: this.sentLabels(a) }, input.principal ? { 'acknowledged.principal': input.principal } : {}));
    }
    this.emitRecords(records);
    void this.syncSilences();
    this.saver.run().catch(() => undefined);
    return matches.map(({ alert: a, rule, group }) => this.view(a, this.ruleRef(group, rule)));
  }

  /** Closes an alert by hand (an event such as a new log template): resolved now, at Alertmanager too. */
  resolve(fp: string, input: ActionInput): AlertView {
    const hit = this.allAlerts().find(({ alert: a }) => a.fp === fp);
    if (!hit) throw new ActionError('not_found', `no alert with fingerprint ${fp}`);
    const { alert: a, rule, group } = hit;
    if (a.state === 'inactive') throw new ActionError('conflict', `${fp} is already resolved`);
    const now = Date.now();
    const by = this.who(input);
    const from = a.state;
    a.closed = { by, at: now, comment: (input.comment ?? '').slice(0, 2000) };
    a.state = 'inactive';
    a.resolvedAt = now;
    a.keepFiringSince = undefined;
    pushHistory(a, { at: now, event: 'resolved', by, comment: a.closed.comment || 'resolved by hand' });
    if (a.ack) this.endAck(a, now, 'resolved');
    const ref = this.ruleRef(group, rule);
    this.emitRecords([alertRecord(a, 'resolved', from, now, { group: group.name, rule: rule.name, labels: this.sentLabels(a) }, { 'closed.by': by, ...(a.closed.comment ? { 'closed.comment': a.closed.comment } : {}) })]);
    if (from === 'firing') {
      const hooks = new Map<string, WebhookAlert[]>();
      this.hook(hooks, rule.name, a, now);
      this.sendWebhooks(hooks);
      this.notify(group, now);
      this.logResolved(a, ref);
    }
    this.saver.run().catch(() => undefined);
    return this.view(a, ref);
  }

  private endAck(a: Alert, now: number, why: string): void {
    const ack = a.ack;
    if (!ack) return;
    a.ack = undefined;
    if (why !== 'replaced') pushHistory(a, { at: now, event: 'unacknowledged', comment: why });
    // Silences of an ack that ends before its time are expired; one that ran out expired itself.
    if (why !== 'expired') for (const [am, s] of Object.entries(ack.silences)) if (s.id) this.expiries.push({ am, id: s.id, nextTry: 0, tries: 0 });
  }

  private async syncSilences(): Promise<void> {
    if (this.silenceBusy || this.ams.length === 0) return;
    this.silenceBusy = true;
    try {
      const now = Date.now();
      for (const { alert: a } of this.allAlerts()) {
        const ack = a.ack;
        if (!ack) continue;
        for (const am of this.ams) {
          const s = ack.silences[am.url];
          if (!s || s.state !== 'pending') continue;
          const k = `${a.fp}|${am.url}|${ack.at}`;
          if ((this.silenceNext.get(k) ?? 0) > now) continue;
          // Equality matchers on every label the alert has at Alertmanager: exactly this alert.
          const matchers = Object.entries(this.sentLabels(a)).map(([name, value]) => ({ name, value, isRegex: false, isEqual: true }));
          try {
            const id = await am.createSilence(matchers, now, ack.until, ack.by, ack.comment || `acknowledged with telemd (fingerprint ${a.fp})`);
            this.m.silences.add();
            this.silenceNext.delete(k);
            this.dirty = true;
            if (a.ack === ack) {
              s.id = id;
              s.state = 'active';
              delete s.error;
            } else this.expiries.push({ am: am.url, id, nextTry: 0, tries: 0 });
          } catch (e) {
            this.m.silenceErrors.add();
            s.error = (e as Error).message;
            if (e instanceof HttpError && !e.retryable) s.state = 'failed';
            else this.silenceNext.set(k, now + 5000);
            this.logger.warn({ alertmanager: am.url, err: s.error, fingerprint: a.fp }, 'could not create the silence for an acknowledgement');
          }
        }
      }
      for (const x of [...this.expiries]) {
        if (x.nextTry > now) continue;
        const am = this.ams.find((t) => t.url === x.am);
        if (!am) {
          this.expiries.splice(this.expiries.indexOf(x), 1);
          continue;
        }
        try {
          await am.expireSilence(x.id);
          this.m.silences.add();
          this.dirty = true;
          this.expiries.splice(this.expiries.indexOf(x), 1);
        } catch (e) {
          this.m.silenceErrors.add();
          x.tries++;
          x.nextTry = now + Math.min(60_000, 1000 * 2 ** x.tries);
          if (x.tries > 1000) this.expiries.splice(this.expiries.indexOf(x), 1);
          this.logger.warn({ alertmanager: am.url, err: (e as Error).message, silence: x.id }, 'could not expire a silence; retrying');
        }
      }
    } finally {
      this.silenceBusy = false;
    }
  }

  // ------------------------------------------------------------------------------ API views

  private view(a: Alert, ref: RuleRef): AlertView {
    return alertView(a, this.sentLabels(a), ref, this.set.id.id);
  }

  private logResolved(a: Alert, ref: RuleRef): void {
    this.resolvedLog.push({ alert: structuredClone({ ...a, restored: undefined }), rule: ref });
    const cut = Date.now() - RESOLVED_KEEP_MS;
    while (this.resolvedLog.length > RESOLVED_KEEP || (this.resolvedLog[0] && (this.resolvedLog[0].alert.resolvedAt ?? 0) < cut)) this.resolvedLog.shift();
  }

  /** Active alerts, resolved ones still retained, and older resolved ones (newest first). */
  list(): AlertView[] {
    const out: AlertView[] = [];
    const shown = new Set<string>();
    for (const { alert: a, rule, group } of this.allAlerts()) {
      if (a.state === 'inactive' && a.firedAt === undefined) continue;
      out.push(this.view(a, this.ruleRef(group, rule)));
      shown.add(`${a.fp}@${a.activeAt}`);
    }
    for (let i = this.resolvedLog.length - 1; i >= 0; i--) {
      const e = this.resolvedLog[i]!;
      const k = `${e.alert.fp}@${e.alert.activeAt}`;
      if (shown.has(k)) continue;
      shown.add(k);
      out.push(this.view(e.alert, e.rule));
    }
    return out;
  }

  /** Prometheus' /api/v1/rules shape (groups, rules, health, alerts). */
  rules(): unknown {
    return this.groups.map(({ group: g }) => ({
      name: g.name,
      file: g.spec.origin.file,
      interval: g.opts.intervalMs / 1000,
      limit: g.spec.limit,
      lastEvaluation: g.lastEvalMs ? new Date(g.lastEvalMs).toISOString() : '0001-01-01T00:00:00Z',
      evaluationTime: g.lastDurationMs / 1000,
      rules: g.rules.map((r) => {
        const base = {
          name: r.name,
          query: r.spec.expr,
          labels: r.spec.labels,
          health: r.health,
          lastError: r.lastError || undefined,
          evaluationTime: r.lastDurationMs / 1000,
          lastEvaluation: r.lastEvalMs ? new Date(r.lastEvalMs).toISOString() : '0001-01-01T00:00:00Z',
          type: r.kind === 'alert' ? 'alerting' : 'recording',
        };
        if (!(r instanceof AlertingRule)) return base;
        const active = [...r.active.values()].filter((a) => a.state !== 'inactive');
        const state = active.some((a) => a.state === 'firing') ? 'firing' : active.length ? 'pending' : 'inactive';
        return {
          ...base,
          state,
          duration: r.spec.forMs / 1000,
          keepFiringFor: r.spec.keepFiringForMs / 1000,
          annotations: r.spec.annotations,
          alerts: active.map((a) => this.view(a, this.ruleRef(g, r))),
        };
      }),
    }));
  }

  // ------------------------------------------------------------------------------ state

  private async save(): Promise<void> {
    if (!this.storage) return;
    const state: SavedState = {
      version: 1,
      savedAt: Date.now(),
      groups: this.groups.map(({ group: g }) => ({
        key: g.key,
        lastEvalMs: g.lastEvalMs,
        rules: g.alertingRules().map((r, index) => ({ name: r.name, index, alerts: [...r.active.values()] })),
      })),
      resolved: this.resolvedLog,
      expiries: this.expiries.map((x) => ({ am: x.am, id: x.id })),
    };
    await this.storage.set(STATE_KEY, saveState(state));
  }

  private restore(s: SavedState): void {
    const now = Date.now();
    const downtime = Math.max(0, now - s.savedAt);
    const byKey = new Map(this.groups.map((g) => [g.group.key, g.group]));
    for (const sg of s.groups) {
      const g = byKey.get(sg.key);
      const rules = g?.alertingRules() ?? [];
      for (const sr of sg.rules) {
        const sameName = rules.filter((r) => r.name === sr.name);
        const rule = sameName.find((r) => rules.indexOf(r) === sr.index) ?? sameName[0];
        const alerts = sr.alerts.map((a) => {
          // A pending alert's `for` timer resumes where it stopped: the downtime does not count.
          if (a.state === 'pending') return { ...a, activeAt: a.activeAt + downtime };
          return a;
        });
        if (rule) rule.restore(alerts);
        else for (const a of alerts) if (a.state === 'firing') this.orphans.push({ alert: a, rule: { group: sg.key.split(';').pop() ?? '', file: sg.key.split(';')[0] ?? '', name: sr.name, expr: '', forMs: 0, keepFiringForMs: 0 } });
      }
    }
    this.resolvedLog = s.resolved ?? [];
    this.expiries = (s.expiries ?? []).map((x) => ({ ...x, nextTry: 0, tries: 0 }));
  }

  /** Alerts whose rule is gone: resolved now (log record, Alertmanager). */
  private async resolveOrphans(): Promise<void> {
    const list = this.orphans.splice(0);
    const now = Date.now();
    const records: LogRecord[] = [];
    const out: { item: AmAlert; key: string; resolved: boolean }[] = [];
    for (const { alert: a, rule } of list) {
      const from = a.state;
      a.state = 'inactive';
      a.resolvedAt = now;
      pushHistory(a, { at: now, event: 'resolved', comment: 'its rule was removed' });
      if (a.ack) this.endAck(a, now, 'resolved');
      records.push(alertRecord(a, 'resolved', from, now, { group: rule.group, rule: rule.name, labels: this.sentLabels(a) }, { reason: 'rule removed' }));
      out.push({ item: this.amAlert(a, rule.expr), key: a.fp, resolved: true });
      this.logResolved(a, rule);
    }
    this.emitRecords(records);
    for (const am of this.ams) am.queue.push(out);
  }
}

function sameRules(a: GroupSpec, b: GroupSpec): boolean {
  if (a.intervalMs !== b.intervalMs || a.limit !== b.limit || a.queryOffsetMs !== b.queryOffsetMs || a.rules.length !== b.rules.length) return false;
  return a.rules.every((r, i) => {
    const o = b.rules[i]!;
    return r.kind === o.kind && r.name === o.name && r.expr === o.expr && r.forMs === o.forMs && r.keepFiringForMs === o.keepFiringForMs && JSON.stringify(r.labels) === JSON.stringify(o.labels) && JSON.stringify(r.annotations) === JSON.stringify(o.annotations);
  });
}

/** A changed group keeps the alerts of the rules it still has (same name and kind). */
function carryOver(from: RuleGroup, to: RuleGroup): void {
  const old = from.alertingRules();
  for (const r of to.alertingRules()) {
    const o = old.find((x) => x.name === r.name);
    if (o) r.restore([...o.active.values()].map((a) => ({ ...a, restored: false })));
  }
}

/** Adds the names `{{ query "…" }}` templates read; false when a query is not a literal. */
function templateQueries(text: string, names: Set<string>, back: (ms: number) => void): boolean {
  if (!/\bquery\b/.test(text)) return true;
  const re = /\bquery\s+(?:"((?:[^"\\]|\\.)*)"|`([^`]*)`)/g;
  let m: RegExpExecArray | null;
  let literal = 0;
  while ((m = re.exec(text))) {
    literal++;
    const q = m[1] !== undefined ? (JSON.parse(`"${m[1]}"`) as string) : m[2]!;
    try {
      const e = parseExpr(q);
      if (!selectedNames(e, names)) return false;
      back(lookbehindMs(e));
    } catch {
      return false;
    }
  }
  return literal === (text.match(/\bquery\b/g) ?? []).length;
}
