import { factory as fileStorage } from '../../extensions/file_storage/index.js';
import { FileStorage } from '../../extensions/file_storage/file-storage.js';
import { ParseContext } from '../../src/config/schema.js';
import { createQueuedSender, type BatchEncoding, type Codec, type PushFn, type QueuedSender } from '../../src/exporterhelper/index.js';
import { metric, testSettings, type TestSettings } from '../storage/helpers.js';
import { hostWith, queueCfg, retryCfg } from './fixtures.js';

export interface PQ {
  s: QueuedSender<'logs'>;
  set: TestSettings;
  storage: FileStorage;
  m(name: string, labels?: Record<string, string>): number;
  stop(timeoutMs?: number): Promise<void>;
}

/** A queued sender with a persistent queue on a real file_storage in `dir`. */
export async function persistentSender(
  dir: string,
  push: PushFn<'logs'>,
  queue: Record<string, unknown> = {},
  extra: { segmentBytes?: number; hotCacheBytes?: number; retry?: Record<string, unknown>; codec?: Codec; fsync?: boolean; encoding?: BatchEncoding<'logs'>; random?: () => number } = {},
): Promise<PQ> {
  const ctx = new ParseContext();
  const storage = fileStorage.create(testSettings('file_storage/q', 'extension'), fileStorage.config.parse({ directory: dir, fsync: extra.fsync ?? true }, ctx)) as FileStorage;
  await storage.start();
  const set = testSettings('otlp/backend', 'exporter');
  const s = createQueuedSender({
    set,
    signal: 'logs',
    queue: queueCfg({ storage: 'file_storage/q', ...queue }),
    retry: retryCfg(extra.retry ?? { initial_interval: '10ms', max_interval: '50ms', max_elapsed_time: '0' }),
    timeoutMs: 2000,
    push,
    segmentBytes: extra.segmentBytes,
    hotCacheBytes: extra.hotCacheBytes,
    codec: extra.codec,
    encoding: extra.encoding,
    random: extra.random,
  });
  await s.start(hostWith(() => storage.getClient('exporter', set.id, 'logs')));
  return {
    s,
    set,
    storage,
    m: (name, labels = {}) => metric(set.registry, name, labels),
    stop: async (t = 1000) => {
      await s.shutdown(t);
      await storage.shutdown();
    },
  };
}

export async function until(cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
