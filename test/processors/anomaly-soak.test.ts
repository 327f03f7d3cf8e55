// Soak (TELEMD_SOAK=1): series churn far beyond the caps must leave memory flat. Run by hand:
//   TELEMD_SOAK=1 npx vitest run test/processors/anomaly-soak.test.ts
import { describe, expect, it } from 'vitest';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { factory as anomaly } from '../../processors/anomaly/index.js';
import { configSchema as anomalySchema } from '../../processors/anomaly/config.js';
import { factory as logpattern } from '../../processors/logpattern/index.js';
import { configSchema as logpatternSchema } from '../../processors/logpattern/config.js';
import { ParseContext } from '../../src/config/schema.js';
import { consumerOf } from '../../src/component/consumer.js';
import type { LogsData, MetricsData } from '../../src/pdata/types.js';
import { metricValue, settings } from '../analysis/helpers.js';

// A full collection before each sample, so that the samples compare live data, not garbage.
setFlagsFromString('--expose_gc');
const gc = runInNewContext('gc') as () => void;
const heapMiB = (): number => {
  gc();
  return getHeapStatistics().used_heap_size / 2 ** 20;
};

describe.skipIf(!process.env.TELEMD_SOAK)('analysis processors soak', () => {
  it('anomaly: 1M distinct series through max_series 2000 keeps the heap flat', async () => {
    const set = settings('anomaly');
    const p = anomaly.create(set, anomalySchema.parse({ max_series: 2000 }, new ParseContext()), 'metrics', consumerOf<MetricsData>(() => {}));
    const t0 = 1_700_000_000_000_000_000n;
    const samples: number[] = [];
    for (let b = 0; b < 1000; b++) {
      const dataPoints = Array.from({ length: 1000 }, (_, i) => ({ attributes: { id: `s${b * 1000 + i}` }, startTimeUnixNano: 0n, timeUnixNano: t0 + BigInt(b) * 1_000_000_000n, value: i }));
      await p.consume({ resourceMetrics: [{ resource: { attributes: {} }, scopeMetrics: [{ scope: { name: 's' }, metrics: [{ name: 'm', type: 'gauge', dataPoints }] }] }] });
      if (b % 100 === 99) samples.push(heapMiB());
    }
    console.log('anomaly heap MiB every 100k series:', samples.map((x) => x.toFixed(1)).join(' '));
    expect(metricValue(set.registry, 'telemd_processor_anomaly_series')).toBe(2000);
    expect(metricValue(set.registry, 'telemd_processor_anomaly_series_evicted_total')).toBe(1_000_000 - 2000);
    expect(Math.max(...samples.slice(2)) - Math.min(...samples.slice(2))).toBeLessThan(8);
  }, 600_000);

  it('logpattern: 1M messages of never-repeating words through max_templates 5000 keeps the heap flat and the rate up', async () => {
    const set = settings('logpattern');
    const p = logpattern.create(set, logpatternSchema.parse({}, new ParseContext()), 'logs', consumerOf<LogsData>(() => {}));
    const samples: number[] = [];
    // CPU time, not wall time: the machine is shared, and the claim is about the miner's cost.
    const c0 = process.cpuUsage();
    const word = (n: number): string => n.toString(36).replace(/[0-9]/g, (d) => 'qrstuvwxyz'[Number(d)]!);
    for (let b = 0; b < 1000; b++) {
      const logRecords = Array.from({ length: 1000 }, (_, i) => ({ timeUnixNano: 0n, observedTimeUnixNano: 0n, severityNumber: 9, body: `${word(4 * (b * 1000 + i))} ${word(4 * (b * 1000 + i) + 1)} ${word(4 * (b * 1000 + i) + 2)} ${word(4 * (b * 1000 + i) + 3)}`, attributes: {} }));
      await p.consume({ resourceLogs: [{ resource: { attributes: {} }, scopeLogs: [{ scope: { name: 's' }, logRecords }] }] });
      if (b % 100 === 99) samples.push(heapMiB());
    }
    const cpu = process.cpuUsage(c0);
    const rate = 1e6 / ((cpu.user + cpu.system) / 1e6);
    console.log('logpattern heap MiB every 100k lines:', samples.map((x) => x.toFixed(1)).join(' '), `; ${(rate / 1e3).toFixed(0)}k lines of garbage per CPU-second`);
    expect(rate).toBeGreaterThan(10_000);
    expect(metricValue(set.registry, 'telemd_processor_logpattern_templates')).toBeLessThanOrEqual(5000);
    expect(metricValue(set.registry, 'telemd_processor_logpattern_templates_evicted_total')).toBeGreaterThan(0);
    expect(Math.max(...samples.slice(2)) - Math.min(...samples.slice(2))).toBeLessThan(8);
  }, 600_000);
});
