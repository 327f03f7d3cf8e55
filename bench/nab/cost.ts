// Cost of the anomaly processor itself (keying, LRU, detector, tagging) on hostmetrics-shaped
// batches: CPU per point and heap per series, to compare with the agent's <1%-of-a-core budget.
import pino from 'pino';
import { getHeapStatistics } from 'node:v8';
import { factory } from '../../processors/anomaly/index.js';
import { configSchema } from '../../processors/anomaly/config.js';
import { ParseContext } from '../../src/config/schema.js';
import { parseComponentId } from '../../src/component/component.js';
import { consumerOf } from '../../src/component/consumer.js';
import { MetricRegistry, SelfTelemetry } from '../../src/telemetry/self.js';
import type { MetricsData } from '../../src/pdata/types.js';

export async function processorCost(series = 2000, rounds = 200): Promise<string> {
  const set = {
    id: parseComponentId('anomaly')!,
    kind: 'processor' as const,
    logger: pino({ level: 'silent' }),
    telemetry: new SelfTelemetry(new MetricRegistry(), { processor: 'anomaly' }),
  };
  const cfg = configSchema.parse({ max_series: series }, new ParseContext());
  const p = factory.create(set, cfg, 'metrics', consumerOf<MetricsData>(() => {}));
  const t0 = 1_700_000_000_000_000_000n;
  const batch = (r: number): MetricsData => ({
    resourceMetrics: [{
      resource: { attributes: { 'host.name': 'bench' } },
      scopeMetrics: [{
        scope: { name: 'hostmetrics' },
        metrics: [{
          name: 'system.cpu.utilization', type: 'gauge',
          dataPoints: Array.from({ length: series }, (_, i) => ({
            attributes: { cpu: `cpu${i >> 3}`, state: `s${i & 7}` },
            startTimeUnixNano: 0n,
            timeUnixNano: t0 + BigInt(r) * 10_000_000_000n,
            value: 0.2 + 0.05 * Math.sin(r / 7 + i),
          })),
        }],
      }],
    }],
  });
  const heap0 = getHeapStatistics().used_heap_size;
  await p.consume(batch(0));
  const perSeries = (getHeapStatistics().used_heap_size - heap0) / series;
  const start = process.cpuUsage();
  for (let r = 1; r <= rounds; r++) await p.consume(batch(r));
  const cpu = process.cpuUsage(start);
  const usPerPoint = (cpu.user + cpu.system) / (series * rounds);
  // hostmetrics defaults: ~200 points per 10 s scrape on a small host.
  const share = (usPerPoint * 200) / 10_000_000;
  return `anomaly processor: ${usPerPoint.toFixed(2)} µs CPU per point (${series} series x ${rounds} batches), ~${(perSeries / 1024).toFixed(1)} KiB heap per new series (incl. key and batch garbage); 200 points / 10 s = ${(share * 100).toFixed(4)}% of a core`;
}
