import { connectorFactory, type Connector, type PipelineRouter } from '../../src/component/component.js';
import { s } from '../../src/config/schema.js';

/** Hands each batch on as it is; the acknowledgement is the downstream pipelines'. */
function forward<T>(next: PipelineRouter<T>): Connector<T> {
  return {
    // Passes the batch itself: the graph gives it the capabilities of the pipelines it feeds.
    capabilities: { mutatesData: false },
    consume: (data) => next.consume(data),
    start: async () => {},
    shutdown: async () => {},
  };
}

export const factory = connectorFactory<Record<string, never>>({
  type: 'forward',
  description: 'Joins pipelines of one signal: what one pipeline exports, the others receive',
  config: s.object({}),
  metricsToMetrics: (_set, _cfg, next) => forward(next),
  logsToLogs: (_set, _cfg, next) => forward(next),
  tracesToTraces: (_set, _cfg, next) => forward(next),
});
