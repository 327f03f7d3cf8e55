import type { Host } from '../../src/component/component.js';
import type { LogsData } from '../../src/pdata/types.js';
import type { StorageClient } from '../../src/storage/storage.js';
import { ParseContext } from '../../src/config/schema.js';
import { testHost } from '../helpers/host.js';
import { Batch, retrySchema, sendingQueueSchema, type RetryConfig, type SendingQueueConfig } from '../../src/exporterhelper/index.js';

/** A logs batch of `n` records whose bodies are `${tag}-${i}` (ids to count deliveries). */
export function logs(tag: string, n = 1): LogsData {
  return {
    resourceLogs: [
      {
        resource: { attributes: { 'service.name': 'test' } },
        scopeLogs: [
          {
            scope: { name: 'fixture' },
            logRecords: Array.from({ length: n }, (_, i) => ({
              timeUnixNano: 1_700_000_000_000_000_000n + BigInt(i),
              observedTimeUnixNano: 0n,
              severityNumber: 9,
              body: `${tag}-${i}`,
              attributes: { i, big: 9_007_199_254_740_993n },
              traceId: new Uint8Array(16).fill(i % 256),
            })),
          },
        ],
      },
    ],
  };
}

/** Bodies of a batch, or of what a push was handed. */
export function bodies(x: LogsData | Batch<'logs'>): string[] {
  const d = x instanceof Batch ? x.data : x;
  return d.resourceLogs.flatMap((r) => r.scopeLogs.flatMap((s) => s.logRecords.map((l) => String(l.body))));
}

export function queueCfg(raw: Record<string, unknown> = {}): SendingQueueConfig {
  const ctx = new ParseContext();
  const c = sendingQueueSchema.parse(raw, ctx);
  if (ctx.issues.length) throw new Error(JSON.stringify(ctx.issues));
  return c;
}

export function retryCfg(raw: Record<string, unknown> = {}): RetryConfig {
  const ctx = new ParseContext();
  const c = retrySchema.parse(raw, ctx);
  if (ctx.issues.length) throw new Error(JSON.stringify(ctx.issues));
  return c;
}

/** A test Host whose storage (what the sender uses of it) is `getStorage`, if given. */
export function hostWith(getStorage?: () => Promise<StorageClient>): Host {
  return testHost({ getStorage });
}

/** A promise with its resolver, to hold a push until the test lets it go. */
export function gate(): { wait: Promise<void>; open(): void } {
  let open!: () => void;
  const wait = new Promise<void>((r) => (open = r));
  return { wait, open };
}

/** Settled state of a promise right now (after pending microtasks/IO turn). */
export async function state(p: Promise<unknown>): Promise<'pending' | 'resolved' | 'rejected'> {
  let s: 'pending' | 'resolved' | 'rejected' = 'pending';
  p.then(
    () => (s = 'resolved'),
    () => (s = 'rejected'),
  );
  await new Promise((r) => setTimeout(r, 20));
  return s;
}
