import type { QueuedSender, QueuedSenderOptions } from '../../../src/exporterhelper/api.js';
import { Batch } from '../../../src/exporterhelper/batch.js';

/** No queue, no retry: push and report. Lets exporter tests see each push's own outcome. */
export function directSender(o: QueuedSenderOptions<'metrics'>): QueuedSender<'metrics'> {
  return {
    consumer: { consume: (md) => o.push(Batch.of('metrics', md), new AbortController().signal) },
    offer: (b) => o.push(b, new AbortController().signal),
    start: async () => {},
    shutdown: async () => {},
  };
}
