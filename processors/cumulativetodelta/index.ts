import { processorFactory } from '../../src/component/component.js';
import { AggregationTemporality, type Metric, type MetricsData } from '../../src/pdata/types.js';
import { nowNanos } from '../../src/pdata/time.js';
import { retainMetrics } from '../../src/processorhelper/iterate.js';
import { stringMatcher } from '../../src/processorhelper/match.js';
import { SimpleProcessor } from '../../src/processorhelper/processor.js';
import { attrsKey, metricKey, staleSweeper } from '../../src/processorhelper/series.js';
import { configSchema, type Config } from './config.js';
import { histToDelta, numberToDelta, type HistState, type NumberState } from './tracker.js';

type Select = NonNullable<Config['include']>;

function selector(sel: Select | undefined): ((m: Metric) => boolean) | undefined {
  if (!sel) return undefined;
  const name = stringMatcher(sel.match_type === 'strict', sel.metrics);
  return (m) =>
    (sel.metrics.length === 0 || name(m.name)) &&
    (sel.metric_types.length === 0 || (sel.metric_types as string[]).includes(m.type));
}

export const factory = processorFactory<Config>({
  type: 'cumulativetodelta',
  description: 'Converts cumulative sums and histograms to delta temporality',
  config: configSchema,
  signals: ['metrics'],
  validate: (cfg) => {
    const e: string[] = [];
    for (const [n, sel] of [['include', cfg.include], ['exclude', cfg.exclude]] as const)
      if (sel?.match_type === 'regexp')
        for (const p of sel.metrics)
          try {
            new RegExp(p);
          } catch (err) {
            e.push(`${n}.metrics: invalid regexp ${JSON.stringify(p)}: ${(err as Error).message}`);
          }
    return e;
  },
  create: (set, cfg, signal, next) => {
    const inc = selector(cfg.include);
    const exc = selector(cfg.exclude);
    const nums = new Map<string, NumberState>();
    const hists = new Map<string, HistState>();
    const startedAt = nowNanos();
    const sweep = cfg.max_staleness > 0 ? staleSweeper(cfg.max_staleness, nums, hists) : undefined;
    set.telemetry.observe('telemd_cumulativetodelta_streams', 'Streams tracked', { signal }, () => nums.size + hists.size);
    return new SimpleProcessor(set, signal, next, (d) => {
      const now = Date.now();
      retainMetrics(d as MetricsData, (m, scope, res) => {
        if (m.type !== 'sum' && m.type !== 'histogram') return true;
        if (m.aggregationTemporality !== AggregationTemporality.Cumulative) return true;
        if ((inc && !inc(m)) || (exc && exc(m))) return true;
        const base = metricKey(res, scope, m);
        if (m.type === 'sum')
          m.dataPoints = m.dataPoints.filter((dp) =>
            numberToDelta(nums, base + attrsKey(dp.attributes), dp, m.isMonotonic, cfg.initial_value, startedAt, now),
          );
        else
          m.dataPoints = m.dataPoints.filter((dp) =>
            histToDelta(hists, base + attrsKey(dp.attributes), dp, cfg.initial_value, startedAt, now),
          );
        m.aggregationTemporality = AggregationTemporality.Delta;
        return m.dataPoints.length > 0;
      });
      sweep?.(now);
      return d;
    });
  },
});
