// Redacts personal data in every signal: attribute maps (resource, scope, records, spans,
// events, links, data points, exemplars), log bodies and span names.
import type { Logger } from 'pino';
import type { Consumer } from '../../src/component/consumer.js';
import { ConsumerError } from '../../src/component/consumer.js';
import type { CreateSettings, Processor } from '../../src/component/component.js';
import { countItems } from '../../src/pdata/count.js';
import type {
  Attributes,
  LogsData,
  Metric,
  MetricsData,
  Resource,
  InstrumentationScope,
  Signal,
  SignalData,
  TracesData,
} from '../../src/pdata/types.js';
import type { Counter } from '../../src/telemetry/self.js';
import { processorCounters, type ProcessorCounters } from '../../src/processorhelper/processor.js';
import { BUILTIN_KINDS } from '../../src/redaction/detectors.js';
import { DROP, Redactor, type Action } from '../../src/redaction/redactor.js';
import { builtinDetector, customDetector, type DetectorSpec } from '../../src/redaction/scanner.js';
import { resolveHashKey, usesHash, type Config } from './config.js';

export const COUNT_ATTRIBUTE = 'redaction.count';

export function redactorFromConfig(cfg: Config, env: NodeJS.ProcessEnv = process.env): Redactor {
  const detectors: { spec: DetectorSpec; action: Action }[] = [];
  for (const kind of BUILTIN_KINDS) {
    const d = cfg.detectors[kind];
    if (d.enabled) detectors.push({ spec: builtinDetector(kind), action: d.action });
  }
  for (const c of cfg.custom)
    detectors.push({ spec: customDetector(c.name, new RegExp(c.pattern, c.case_insensitive ? 'i' : '')), action: c.action });
  const hashKey = resolveHashKey(cfg, env);
  if (usesHash(cfg) && !hashKey)
    throw new Error(
      cfg.hash_key_env
        ? `anonymization: environment variable ${cfg.hash_key_env} (hash_key_env) is not set or empty`
        : 'anonymization: the hash action needs hash_key or hash_key_env',
    );
  return new Redactor({
    detectors,
    mask: cfg.mask,
    hashKey,
    allowKeys: cfg.allow_keys,
    blockKeys: cfg.block_keys,
    ignoredKeys: cfg.ignored_keys,
    keyAction: cfg.key_action,
  });
}

export class AnonymizationProcessor<S extends Signal> implements Processor<SignalData[S]> {
  /** Redacts in place. */
  readonly capabilities = { mutatesData: true };
  private readonly r: Redactor;
  private readonly counters: Counter[];
  private readonly items: ProcessorCounters;
  private readonly log: Logger;

  constructor(
    set: CreateSettings,
    private readonly cfg: Config,
    private readonly signal: S,
    private readonly next: Consumer<SignalData[S]>,
  ) {
    this.log = set.logger;
    this.r = redactorFromConfig(cfg);
    this.counters = this.r.names.map((detector) =>
      set.telemetry.counter('telemd_processor_redactions_total', 'Values redacted, by detector', { detector, signal }),
    );
    this.items = processorCounters(set, signal);
  }

  async start(): Promise<void> {
    const on = Object.entries(this.cfg.detectors).filter(([, d]) => d.enabled).map(([n, d]) => `${n}:${d.action}`);
    this.log.debug(
      { signal: this.signal, detectors: [...on, ...this.cfg.custom.map((c) => `${c.name}:${c.action}`)], allow_keys: this.cfg.allow_keys.length, block_keys: this.cfg.block_keys.length },
      'anonymization ready',
    );
  }
  async shutdown(): Promise<void> {}

  async consume(data: SignalData[S]): Promise<void> {
    let remaining: number;
    try {
      remaining = this.redactBatch(data);
    } catch (err) {
      // Never forward data that could not be redacted; say why without echoing the data.
      const n = countItems(this.signal, data);
      this.items.refused.add(n);
      this.log.error({ err: (err as Error).message, signal: this.signal, items: n }, 'redaction failed; batch refused');
      throw ConsumerError.permanent(`anonymization failed: ${(err as Error).message}`, { cause: err, rejectedItems: n });
    } finally {
      this.flushCounts();
    }
    if (remaining === 0) return;
    return this.next.consume(data);
  }

  /** Redacts in place; returns the number of items left. */
  redactBatch(data: SignalData[S]): number {
    if (this.signal === 'logs') return this.logs(data as LogsData);
    if (this.signal === 'traces') return this.traces(data as TracesData);
    return this.metrics(data as MetricsData);
  }

  private flushCounts(): void {
    const c = this.r.counts;
    for (let i = 0; i < c.length; i++)
      if (c[i]! > 0) {
        this.counters[i]!.add(c[i]!);
        c[i] = 0;
      }
  }

  private common(resource: Resource, scopes: { scope: InstrumentationScope }[]): void {
    if (this.cfg.resource_attributes) this.r.redactMap(resource.attributes, true);
    for (const s of scopes) if (s.scope.attributes) this.r.redactMap(s.scope.attributes, true);
  }

  private summarize(attrs: Attributes): void {
    if (this.cfg.count_attribute && this.r.itemCount > 0) attrs[COUNT_ATTRIBUTE] = BigInt(this.r.itemCount);
  }

  private text(s: string): string {
    const out = this.r.redactString(s);
    return out === DROP ? this.cfg.mask : out;
  }

  private logs(d: LogsData): number {
    let left = 0;
    let dropped = 0;
    for (const rl of d.resourceLogs) {
      this.common(rl.resource, rl.scopeLogs);
      for (const sl of rl.scopeLogs) {
        const keep = [];
        for (const lr of sl.logRecords) {
          this.r.resetItem();
          this.r.redactMap(lr.attributes, true);
          if (this.cfg.log_body && lr.body !== null && lr.body !== undefined) {
            const b = this.r.redactValue(lr.body);
            if (b === DROP) {
              dropped++;
              continue;
            }
            lr.body = b;
          }
          this.summarize(lr.attributes);
          keep.push(lr);
        }
        if (keep.length !== sl.logRecords.length) sl.logRecords = keep;
        left += keep.length;
      }
    }
    if (dropped) this.items.dropped.add(dropped);
    return left;
  }

  private traces(d: TracesData): number {
    let n = 0;
    for (const rs of d.resourceSpans) {
      this.common(rs.resource, rs.scopeSpans);
      for (const ss of rs.scopeSpans)
        for (const sp of ss.spans) {
          n++;
          this.r.resetItem();
          this.r.redactMap(sp.attributes, true);
          if (this.cfg.span_names) {
            sp.name = this.text(sp.name);
            if (sp.status.message) sp.status.message = this.text(sp.status.message);
          }
          for (const ev of sp.events) {
            this.r.redactMap(ev.attributes, true);
            if (this.cfg.span_names) ev.name = this.text(ev.name);
          }
          for (const l of sp.links) this.r.redactMap(l.attributes, true);
          this.summarize(sp.attributes);
        }
    }
    return n;
  }

  private metrics(d: MetricsData): number {
    let n = 0;
    for (const rm of d.resourceMetrics) {
      this.common(rm.resource, rm.scopeMetrics);
      for (const sm of rm.scopeMetrics) for (const m of sm.metrics) n += this.metric(m);
    }
    return n;
  }

  private metric(m: Metric): number {
    if (m.type === 'empty') return 0;
    for (const dp of m.dataPoints) {
      this.r.resetItem();
      this.r.redactMap(dp.attributes, true);
      const ex = 'exemplars' in dp ? dp.exemplars : undefined;
      if (ex) for (const e of ex) if (e.filteredAttributes) this.r.redactMap(e.filteredAttributes, true);
      this.summarize(dp.attributes);
    }
    return m.dataPoints.length;
  }
}
