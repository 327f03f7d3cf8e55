// Remote-write requests, made when a batch arrives: translated once, sharded by series (label
// hash), split at max_batch_size_bytes and encoded. The queues hold these bytes; a retry sends
// the same bytes again and never translates. Each split request is its own queue entry, so a
// retry resumes at the first request not yet delivered (Prometheus refuses resent samples as out
// of order).
import { Batch, concatBytes, type BatchEncoding } from '../../src/exporterhelper/batch.js';
import { PROMETHEUS_RW1_CODEC, PROMETHEUS_RW2_CODEC } from '../../src/exporterhelper/codec.js';
import { countMetricPoints } from '../../src/pdata/count.js';
import type { MetricsData } from '../../src/pdata/types.js';
import {
  buildWriteRequests, decodeRequestV2, decodeWriteRequest, encodeRequestV2, encodeWriteRequest, packRequests, translateMetrics,
  type RwSeries, type TranslateOptions, type WriteRequest,
} from '../../src/prometheus/index.js';

export interface RequestOptions {
  translate: TranslateOptions;
  /** Send metric metadata with 1.0 requests (2.0 carries it on every series). */
  metadata: boolean;
  maxBytes: number;
  shards: number;
}

/**
 * `total` split in proportion to `weights`, summing exactly to `total` (the points of a batch
 * over its requests by samples: exact for gauges and sums, a share for histograms).
 */
export function shares(total: number, weights: number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (sum === 0) return weights.map((_, i) => (i === 0 ? total : 0));
  let acc = 0;
  let given = 0;
  return weights.map((w) => {
    acc += w;
    const upTo = Math.round((total * acc) / sum);
    const n = upTo - given;
    given = upTo;
    return n;
  });
}

export class RequestBuilder {
  readonly encoding: BatchEncoding<'metrics'>;

  constructor(
    private readonly opts: RequestOptions,
    /** Series refused by the label rules: counted and logged by the exporter. */
    private readonly onInvalid: (samples: number, reasons: string[]) => void,
  ) {
    const maxBytes = opts.maxBytes;
    this.encoding = {
      codecId: PROMETHEUS_RW1_CODEC,
      accepts: [PROMETHEUS_RW2_CODEC],
      // A whole batch as one 1.0 request (what joins with queued ones; new data goes through `requests`).
      encode: (md) => Buffer.concat(this.fromMetrics(md, false, 1)[0]!.map((b) => b.bytes!)),
      // 1.0 requests are concatenated protobuf (repeated timeseries): they join up to
      // max_batch_size_bytes. 2.0 requests have a symbol table each and go alone.
      merge: (parts) => (parts[0]!.codecId === PROMETHEUS_RW1_CODEC ? concatBytes(parts) : undefined),
      joinable: (codecId, bytes) => codecId === PROMETHEUS_RW1_CODEC && bytes <= maxBytes,
    };
  }

  /** The requests of a batch, per shard, each with its share of the batch's points. */
  fromMetrics(md: MetricsData, v2: boolean, shards = this.opts.shards): Batch<'metrics'>[][] {
    const tr = translateMetrics(md, this.opts.translate);
    const built = buildWriteRequests(tr.families, { metadata: this.opts.metadata && !v2, maxBytes: this.opts.maxBytes, shards });
    if (built.invalid > 0) this.onInvalid(built.invalid, built.invalidReasons);
    return this.encode(built.byShard, countMetricPoints(md), v2);
  }

  /** Series of queued requests, sharded again (after num_consumers changed), carrying `items` between them. */
  fromSeries(series: RwSeries[], items: number, v2: boolean): Batch<'metrics'>[][] {
    return this.encode(packRequests(series, this.opts.shards, this.opts.maxBytes), items, v2);
  }

  private encode(byShard: WriteRequest[][], items: number, v2: boolean): Batch<'metrics'>[][] {
    const samples = byShard.flat().map((r) => r.timeseries.reduce((n, t) => n + t.samples.length, 0));
    const share = shares(items, samples);
    let i = 0;
    return byShard.map((reqs) =>
      reqs.map((r) =>
        v2
          ? Batch.request('metrics', encodeRequestV2(r.timeseries), share[i++]!, this.encoding, PROMETHEUS_RW2_CODEC)
          : Batch.request('metrics', encodeWriteRequest(r), share[i++]!, this.encoding, PROMETHEUS_RW1_CODEC),
      ),
    );
  }
}

/** The series of a queued request, whichever version it was encoded in. */
export function seriesOf(b: Batch<'metrics'>): RwSeries[] {
  const buf = Buffer.from(b.bytes!.buffer, b.bytes!.byteOffset, b.bytes!.byteLength);
  return b.codecId === PROMETHEUS_RW2_CODEC ? decodeRequestV2(buf) : decodeWriteRequest(buf).timeseries;
}

/** A queued request as a 1.0 body (uncompressed). */
export function v1Body(b: Batch<'metrics'>): Uint8Array {
  return b.codecId === PROMETHEUS_RW2_CODEC ? encodeWriteRequest({ timeseries: seriesOf(b), metadata: [] }) : b.bytes!;
}
