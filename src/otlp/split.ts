// Halve a batch by items, keeping its resource/scope structure: used when a backend refuses a
// request as too large, so the data goes in smaller requests instead of being dropped.
import { countItems, type Signal, type SignalData } from '../pdata/index.js';

interface Tree {
  [k: string]: unknown;
}

const LEVELS: Record<Signal, [string, string, string]> = {
  metrics: ['resourceMetrics', 'scopeMetrics', 'metrics'],
  logs: ['resourceLogs', 'scopeLogs', 'logRecords'],
  traces: ['resourceSpans', 'scopeSpans', 'spans'],
};

/** Items of a leaf (a metric counts its data points; logs and spans count 1). */
function leafItems(signal: Signal, leaf: unknown): number {
  if (signal !== 'metrics') return 1;
  const m = leaf as { dataPoints?: unknown[] };
  return m.dataPoints ? m.dataPoints.length : 0;
}

/**
 * Two batches with about half the items each (a single metric with many points is split by
 * points). Returns undefined when the batch has fewer than 2 items.
 */
export function splitHalf<S extends Signal>(signal: S, data: SignalData[S]): [SignalData[S], SignalData[S]] | undefined {
  const total = countItems(signal, data);
  if (total < 2) return undefined;
  const [rk, sk, lk] = LEVELS[signal];
  let want = Math.floor(total / 2);
  const first: Tree[] = [];
  const second: Tree[] = [];
  for (const r of (data as unknown as Tree)[rk] as Tree[]) {
    const ra: Tree[] = [];
    const rb: Tree[] = [];
    for (const sc of r[sk] as Tree[]) {
      const la: unknown[] = [];
      const lb: unknown[] = [];
      for (const leaf of sc[lk] as unknown[]) {
        const n = leafItems(signal, leaf);
        if (want <= 0) lb.push(leaf);
        else if (n <= want) {
          la.push(leaf);
          want -= n;
        } else {
          // Only metrics get here: split the data points of this metric.
          const m = leaf as Tree & { dataPoints: unknown[] };
          la.push({ ...m, dataPoints: m.dataPoints.slice(0, want) });
          lb.push({ ...m, dataPoints: m.dataPoints.slice(want) });
          want = 0;
        }
      }
      if (la.length) ra.push({ ...sc, [lk]: la });
      if (lb.length) rb.push({ ...sc, [lk]: lb });
    }
    if (ra.length) first.push({ ...r, [sk]: ra });
    if (rb.length) second.push({ ...r, [sk]: rb });
  }
  return [{ [rk]: first } as unknown as SignalData[S], { [rk]: second } as unknown as SignalData[S]];
}

/** A batch to send: its records, and its request body when it was encoded already. */
export interface SplittableBatch<S extends Signal> {
  readonly data: SignalData[S];
  readonly bytes?: Uint8Array;
}

/**
 * Send a batch (its `bytes`, or `encode(data)`); when `tooLarge(err)` says the request was too
 * big, send it in halves instead. The records are read only to encode or to split.
 */
export async function sendSplitting<S extends Signal>(
  signal: S,
  batch: SplittableBatch<S>,
  send: (body: Uint8Array) => Promise<void>,
  encode: (d: SignalData[S]) => Uint8Array,
  tooLarge: (err: unknown) => boolean,
  depth = 0,
): Promise<void> {
  try {
    await send(batch.bytes ?? encode(batch.data));
  } catch (err) {
    const halves = depth < 20 && tooLarge(err) ? splitHalf(signal, batch.data) : undefined;
    if (!halves) throw err;
    for (const data of halves) await sendSplitting(signal, { data }, send, encode, tooLarge, depth + 1);
  }
}
