import { processorFactory } from '../../src/component/component.js';
import type { AnyValue, LogRecord, LogsData, Resource } from '../../src/pdata/types.js';
import { retainLogs } from '../../src/processorhelper/iterate.js';
import { SimpleProcessor } from '../../src/processorhelper/processor.js';
import { valueToString } from '../../src/processorhelper/value.js';
import { KeyedBuckets } from './bucket.js';
import { configSchema, type Config } from './config.js';

function keyPart(k: string, lr: LogRecord, res: Resource): AnyValue | undefined {
  const v = lr.attributes[k] ?? res.attributes[k];
  if (v !== undefined) return v;
  if (k === 'severity_text') return lr.severityText;
  if (k === 'severity_number') return lr.severityNumber;
  return undefined;
}

export const factory = processorFactory<Config>({
  type: 'rate_limit',
  description: 'At most N log records per second per key (e.g. per file or severity); drops and counts the rest',
  config: configSchema,
  signals: ['logs'],
  create: (set, cfg, signal, next) => {
    const buckets = new KeyedBuckets(cfg.rate, cfg.burst ?? Math.max(1, Math.ceil(cfg.rate)), cfg.max_keys);
    set.telemetry.observe('telemd_rate_limit_keys', 'Keys currently tracked by the rate limiter', { signal }, () => buckets.size);
    let lastWarn = 0;
    let droppedSinceWarn = 0;
    const keys = cfg.keys;
    return new SimpleProcessor(set, signal, next, (d) => {
      retainLogs(d as LogsData, (lr, _scope, res) => {
        const key = keys.length === 0 ? '' : keys.map((k) => valueToString(keyPart(k, lr, res))).join('\u0000');
        if (buckets.take(key)) return true;
        droppedSinceWarn++;
        return false;
      });
      const now = Date.now();
      if (droppedSinceWarn > 0 && now - lastWarn > 10_000) {
        set.logger.warn({ dropped: droppedSinceWarn, rate: cfg.rate }, 'rate limit exceeded: dropping log records');
        lastWarn = now;
        droppedSinceWarn = 0;
      }
      return d;
    });
  },
});
