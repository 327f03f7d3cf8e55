import { connectorFactory, type Connector, type CreateSettings, type PipelineRouter } from '../../src/component/component.js';
import type { LogsData, MetricsData } from '../../src/pdata/types.js';
import { configSchema, validate, type Config } from './config.js';
import { AlertsEngine } from './engine.js';
import { serve } from './routes.js';

// One engine per connector id and config, shared by its signal pairs (as the Collector's
// sharedcomponent): a new config (reload) gets a new engine, which takes over from storage.
const shared = new Map<string, { engine: AlertsEngine; refs: number; unserve?: () => void }>();

function keyOf(set: CreateSettings, cfg: Config): string {
  return `${set.id.id}\u0000${JSON.stringify(cfg, (_k, v: unknown) => (v instanceof Map ? [...v.keys()] : typeof v === 'bigint' ? String(v) : v))}`;
}

function attach(set: CreateSettings, cfg: Config, out: { logs?: PipelineRouter<LogsData>; metrics?: PipelineRouter<MetricsData> }): Connector<MetricsData> {
  const key = keyOf(set, cfg);
  let s = shared.get(key);
  if (!s) shared.set(key, (s = { engine: new AlertsEngine(set, cfg), refs: 0 }));
  s.refs++;
  const entry = s;
  let started = false;
  let released = false;
  return {
    capabilities: { mutatesData: false },
    consume: async (md) => entry.engine.consume(md),
    start: async (host) => {
      if (out.logs) entry.engine.addLogs(out.logs);
      if (out.metrics) entry.engine.addMetrics(out.metrics);
      started = true;
      await entry.engine.start(host);
      entry.unserve ??= serve(entry.engine);
    },
    shutdown: async (budgetMs) => {
      if (released) return;
      released = true;
      if (out.logs) entry.engine.removeLogs(out.logs);
      if (out.metrics) entry.engine.removeMetrics(out.metrics);
      entry.refs--;
      if (entry.refs === 0) {
        entry.unserve?.();
        entry.unserve = undefined;
        shared.delete(key);
      }
      if (started) await entry.engine.stop(budgetMs);
    },
  };
}

export const factory = connectorFactory<Config>({
  type: 'alerts',
  description: 'Evaluates Prometheus alerting and recording rules over the metrics it receives; alert transitions as log records, Alertmanager and webhook delivery',
  config: configSchema,
  validate,
  metricsToLogs: (set, cfg, next) => attach(set, cfg, { logs: next }),
  metricsToMetrics: (set, cfg, next) => attach(set, cfg, { metrics: next }),
});
