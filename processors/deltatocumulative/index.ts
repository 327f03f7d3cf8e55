import { processorFactory } from '../../src/component/component.js';
import { AggregationTemporality, type MetricsData } from '../../src/pdata/types.js';
import { retainMetrics } from '../../src/processorhelper/iterate.js';
import { SimpleProcessor } from '../../src/processorhelper/processor.js';
import { attrsKey, metricKey, staleSweeper } from '../../src/processorhelper/series.js';
import { accumulateHist, accumulateSum, type HistState, type AccumulateResult, type SumState } from './accumulate.js';
import { configSchema, type Config } from './config.js';

export const factory = processorFactory<Config>({
  type: 'deltatocumulative',
  description: 'Accumulates delta sums and histograms into cumulative ones',
  config: configSchema,
  signals: ['metrics'],
  create: (set, cfg, signal, next) => {
    const sums = new Map<string, SumState>();
    const hists = new Map<string, HistState>();
    const t = set.telemetry;
    t.observe('telemd_deltatocumulative_streams', 'Streams tracked', { signal }, () => sums.size + hists.size);
    const old = t.counter('telemd_deltatocumulative_out_of_order_items_total', 'Points dropped as late or duplicate', { signal });
    const limited = t.counter('telemd_deltatocumulative_stream_limit_items_total', 'Points dropped because max_streams was reached', { signal });
    const sweep = staleSweeper(cfg.max_stale, sums, hists);
    const count = (o: AccumulateResult): boolean => {
      if (o === 'old') old.add();
      else if (o === 'limit') limited.add();
      return o === 'ok';
    };
    return new SimpleProcessor(set, signal, next, (d) => {
      const now = Date.now();
      sweep(now);
      retainMetrics(d as MetricsData, (m, scope, res) => {
        if ((m.type !== 'sum' && m.type !== 'histogram') || m.aggregationTemporality !== AggregationTemporality.Delta) return true;
        const base = metricKey(res, scope, m);
        if (m.type === 'sum')
          m.dataPoints = m.dataPoints.filter((dp) => count(accumulateSum(sums, base + attrsKey(dp.attributes), dp, now, cfg.max_streams)));
        else
          m.dataPoints = m.dataPoints.filter((dp) => count(accumulateHist(hists, base + attrsKey(dp.attributes), dp, now, cfg.max_streams)));
        m.aggregationTemporality = AggregationTemporality.Cumulative;
        return m.dataPoints.length > 0;
      });
      return d;
    });
  },
});
