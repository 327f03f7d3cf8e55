import pino from 'pino';
import { ParseContext } from '../../src/config/schema.js';
import type { CreateSettings, Host } from '../../src/component/component.js';
import { MetricRegistry, SelfTelemetry } from '../../src/telemetry/self.js';
import { configSchema, type Config } from '../../receivers/hostmetrics/config.js';
import type { Metric, MetricsData, NumberDataPoint } from '../../src/pdata/types.js';
import { testHost } from '../helpers/host.js';

export function settings(): CreateSettings & { registry: MetricRegistry } {
  const registry = new MetricRegistry();
  return {
    id: { type: 'hostmetrics', name: '', id: 'hostmetrics' },
    kind: 'receiver',
    logger: pino({ level: 'silent' }),
    telemetry: new SelfTelemetry(registry, { receiver: 'hostmetrics' }),
    registry,
  };
}

export function parseConfig(raw: unknown): Config {
  const ctx = new ParseContext();
  const cfg = configSchema.parse(raw, ctx);
  if (ctx.issues.length) throw new Error(JSON.stringify(ctx.issues));
  return cfg;
}

export const host: Host = testHost();

export function allMetrics(d: MetricsData): Metric[] {
  return d.resourceMetrics.flatMap((rm) => rm.scopeMetrics.flatMap((sm) => sm.metrics));
}

export function metric(d: MetricsData | Metric[], name: string): Metric | undefined {
  const list = Array.isArray(d) ? d : allMetrics(d);
  return list.find((m) => m.name === name);
}

export function points(d: MetricsData | Metric[], name: string): NumberDataPoint[] {
  const m = metric(d, name);
  return m && (m.type === 'sum' || m.type === 'gauge') ? m.dataPoints : [];
}

export function num(p: NumberDataPoint | undefined): number {
  return p === undefined ? NaN : Number(p.value);
}
