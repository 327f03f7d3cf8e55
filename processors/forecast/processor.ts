import type { CreateSettings, Host, Processor } from '../../src/component/component.js';
import type { Consumer } from '../../src/component/consumer.js';
import { TrendForecaster, type Forecast } from '../../src/analysis/forecast.js';
import { LruMap } from '../../src/analysis/series.js';
import { attrsKey } from '../../src/processorhelper/series.js';
import { nowNanos } from '../../src/pdata/time.js';
import type { Attributes, LogRecord, LogsData, Metric, MetricsData, NumberDataPoint, Resource, ResourceLogs } from '../../src/pdata/types.js';
import type { Counter } from '../../src/telemetry/self.js';
import type { Config, Target } from './config.js';

interface SeriesState {
  model: TrendForecaster;
  /** True while the forecast is under the horizon (one log record per crossing). */
  under: boolean;
}

/** Usage and capacity of one resource/attribute group at one time. */
interface Group {
  attrs: Attributes;
  usage: number;
  limit: number;
  timeNs: bigint;
}

const num = (v: number | bigint): number => (typeof v === 'bigint' ? Number(v) : v);

function groupPoints(t: Target, points: NumberDataPoint[]): Map<string, Group> {
  const groups = new Map<string, Group>();
  const sa = t.state_attribute;
  for (const p of points) {
    const key = attrsKey(p.attributes, sa);
    let g = groups.get(key);
    if (!g) {
      const attrs = { ...p.attributes };
      if (sa) delete attrs[sa];
      g = { attrs, usage: 0, limit: 0, timeNs: p.timeUnixNano };
      groups.set(key, g);
    }
    const v = num(p.value);
    if (!sa) {
      g.usage += v;
      continue;
    }
    const state = String(p.attributes[sa] ?? '');
    if (t.usage_states.includes(state)) g.usage += v;
    if (t.limit_states.length === 0 || t.limit_states.includes(state)) g.limit += v;
    if (p.timeUnixNano > g.timeNs) g.timeNs = p.timeUnixNano;
  }
  if (t.limit !== undefined) for (const g of groups.values()) g.limit = t.limit;
  return groups;
}

export class ForecastProcessor implements Processor<MetricsData> {
  /** Appends *.time_to_full metrics to the scopes in place. */
  readonly capabilities = { mutatesData: true };
  private series: LruMap<SeriesState>;
  private targets: Map<string, Target>;
  private emitted: Counter;
  private evicted: Counter;
  private warnings: Counter;
  private warnedNoLogs = false;

  constructor(
    private set: CreateSettings,
    private cfg: Config,
    private next: Consumer<MetricsData>,
    /** The logs pipelines listing this processor id (a hand-over connector), if any. */
    private recordsOut?: Consumer<LogsData>,
  ) {
    this.series = new LruMap(cfg.max_series);
    this.targets = new Map(cfg.targets.map((t) => [t.metric, t]));
    const t = set.telemetry;
    const l = { signal: 'metrics' };
    this.emitted = t.counter('telemd_processor_forecast_emitted_points_total', 'time_to_full points added', l);
    this.evicted = t.counter('telemd_processor_forecast_series_evicted_total', 'Series forgotten because max_series was reached', l);
    this.warnings = t.counter('telemd_processor_forecast_horizon_crossings_total', 'Forecasts that fell under the horizon', l);
    t.observe('telemd_processor_forecast_series', 'Series tracked', l, () => this.series.size);
  }

  async start(_host: Host): Promise<void> {}
  async shutdown(): Promise<void> {}

  async consume(data: MetricsData): Promise<void> {
    const warnings: ResourceLogs[] = [];
    for (const rm of data.resourceMetrics) {
      const rkey = attrsKey(rm.resource.attributes);
      const records: LogRecord[] = [];
      for (const sm of rm.scopeMetrics) {
        const added: Metric[] = [];
        for (const m of sm.metrics) {
          const t = this.targets.get(m.name);
          if (!t || (m.type !== 'gauge' && m.type !== 'sum')) continue;
          const ttf: NumberDataPoint[] = [];
          const conf: NumberDataPoint[] = [];
          for (const [gkey, g] of groupPoints(t, m.dataPoints)) {
            const f = this.update(`${m.name}\u0000${rkey}\u0000${gkey}`, g);
            if (!f) continue;
            const base = { attributes: g.attrs, startTimeUnixNano: 0n, timeUnixNano: g.timeNs };
            ttf.push({ ...base, value: Math.round(f.forecast.seconds) });
            conf.push({ ...base, attributes: { ...g.attrs }, value: Math.round(f.forecast.confidence * 1000) / 1000 });
            if (f.crossed) records.push(this.record(m.name, g, f.forecast));
          }
          if (ttf.length === 0) continue;
          this.emitted.add(ttf.length * 2);
          added.push(
            { name: `${m.name}.time_to_full`, description: `Forecast seconds until ${m.name} reaches its limit`, unit: 's', type: 'gauge', dataPoints: ttf },
            { name: `${m.name}.time_to_full.confidence`, description: 'Confidence of the time_to_full forecast (0..1)', unit: '1', type: 'gauge', dataPoints: conf },
          );
        }
        sm.metrics.push(...added);
      }
      if (records.length) warnings.push({ resource: structuredClone(rm.resource) as Resource, scopeLogs: [{ scope: { name: 'telemd/forecast' }, logRecords: records }] });
    }
    if (warnings.length && this.cfg.emit_logs) this.emit({ resourceLogs: warnings });
    await this.next.consume(data);
  }

  private update(key: string, g: Group): { forecast: Forecast; crossed: boolean } | undefined {
    let st = this.series.get(key);
    if (!st) {
      st = { model: new TrendForecaster(this.cfg.window / 1000), under: false };
      this.evicted.add(this.series.set(key, st));
    }
    st.model.update(Number((g.timeNs || nowNanos()) / 1_000_000n) / 1000, g.usage);
    if (st.model.count < this.cfg.min_points || !(g.limit > 0)) return undefined;
    const f = st.model.forecast(g.limit);
    if (!f || !Number.isFinite(f.seconds)) {
      st.under = false;
      return undefined;
    }
    const under = f.seconds * 1000 < this.cfg.horizon && f.confidence >= this.cfg.min_confidence;
    const crossed = under && !st.under;
    // Re-arm only once the forecast is clearly back over the horizon (no flapping at the edge).
    if (under) st.under = true;
    else if (f.seconds * 1000 > this.cfg.horizon * 1.1) st.under = false;
    if (crossed) this.warnings.add();
    return { forecast: f, crossed };
  }

  private record(metric: string, g: Group, f: Forecast): LogRecord {
    const now = nowNanos();
    const hours = f.seconds / 3600;
    const where = g.attrs['mountpoint'] ?? g.attrs['device'];
    return {
      timeUnixNano: g.timeNs || now,
      observedTimeUnixNano: now,
      severityNumber: 13,
      severityText: 'WARN',
      eventName: 'forecast.time_to_full',
      body: `${metric}${where !== undefined ? ` (${String(where)})` : ''} forecast to reach its limit in ${hours.toFixed(1)}h (confidence ${f.confidence.toFixed(2)})`,
      attributes: {
        ...g.attrs,
        'metric.name': metric,
        'forecast.time_to_full': Math.round(f.seconds),
        'forecast.confidence': Math.round(f.confidence * 1000) / 1000,
        'forecast.usage': g.usage,
        'forecast.limit': g.limit,
      },
    };
  }

  private emit(logs: { resourceLogs: ResourceLogs[] }): void {
    if (!this.recordsOut) {
      if (!this.warnedNoLogs)
        this.set.logger.warn({ processor: this.set.id.id }, 'emit_logs is on but no logs pipeline contains this processor; forecast records are not emitted');
      this.warnedNoLogs = true;
      return;
    }
    this.recordsOut.consume(logs).catch((err: unknown) => {
      this.set.logger.warn({ err: String(err) }, 'logs pipeline refused forecast records');
    });
  }
}
