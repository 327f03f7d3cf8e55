import type { CreateSettings, Processor } from '../../src/component/component.js';
import type { Consumer } from '../../src/component/consumer.js';
import type { AnyValue, LogRecord, LogsData, Signal, SignalData, TracesData } from '../../src/pdata/types.js';
import { retainLogs, retainSpans } from '../../src/processorhelper/iterate.js';
import { SimpleProcessor } from '../../src/processorhelper/processor.js';
import { valueToString } from '../../src/processorhelper/value.js';
import type { Config } from './config.js';
import { fnv1a32, fnv1a32String, NUM_BUCKETS, sampled, scaledRate } from './hash.js';

function numeric(v: AnyValue | undefined): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v);
  return undefined;
}

/** Bucket of an attribute value: its raw bytes, or the UTF-8 bytes of its string form. */
function attrBucket(v: AnyValue, seed: number): number {
  const h = v instanceof Uint8Array ? fnv1a32(v, seed) : fnv1a32String(valueToString(v), seed);
  return h & (NUM_BUCKETS - 1);
}

export function createSampler<S extends Signal>(
  set: CreateSettings,
  cfg: Config,
  signal: S,
  next: Consumer<SignalData[S]>,
): Processor<SignalData[S]> {
  const seed = cfg.hash_seed >>> 0;
  const rate = scaledRate(cfg.sampling_percentage);
  const counters = {
    noRandomness: set.telemetry.counter(
      'telemd_sampler_missing_randomness_items_total',
      'Items with no trace id or attribute to hash (dropped when fail_closed)',
      { signal },
    ),
  };
  const missing = (): boolean => {
    counters.noRandomness.add();
    return cfg.fail_closed ? false : Math.random() * 100 < cfg.sampling_percentage;
  };

  if (signal === 'traces') {
    return new SimpleProcessor(set, signal, next, (d) => {
      retainSpans(d as TracesData, (span) => {
        // `sampling.priority` on a span forces the decision, as in the Collector.
        const prio = numeric(span.attributes['sampling.priority']);
        if (prio !== undefined) return prio > 0;
        return sampled(span.traceId, seed, rate);
      });
      return d;
    });
  }

  // The record's bucket, or -1 when it has nothing to hash.
  const bucket = (lr: LogRecord): number => {
    if (cfg.attribute_source === 'traceID' && lr.traceId && lr.traceId.length > 0) return fnv1a32(lr.traceId, seed) & (NUM_BUCKETS - 1);
    if (cfg.from_attribute !== undefined) {
      const v = lr.attributes[cfg.from_attribute];
      if (v !== undefined && v !== null) return attrBucket(v, seed);
    }
    return -1;
  };
  return new SimpleProcessor(set, signal, next, (d) => {
    retainLogs(d as LogsData, (lr) => {
      let r = rate;
      if (cfg.sampling_priority !== undefined) {
        const p = numeric(lr.attributes[cfg.sampling_priority]);
        if (p !== undefined) {
          if (p <= 0) return false;
          if (p >= 100) return true;
          r = scaledRate(p);
        }
      }
      const b = bucket(lr);
      return b >= 0 ? b < r : missing();
    });
    return d;
  });
}
