// Counting wrappers the graph puts around components, so every component is observed the same
// way without writing it: items accepted/refused per receiver, in/out per processor.
import { ConsumerError, isPermanent, type Consumer } from '../component/consumer.js';
import { countItems } from '../pdata/count.js';
import type { Signal, SignalData } from '../pdata/types.js';
import type { SelfTelemetry } from '../telemetry/self.js';
import { tapsFor, type TapPoint } from './tap.js';

function tapPoint(tel: SelfTelemetry, kind: 'receiver' | 'processor', direction: 'in' | 'out', signal: Signal): TapPoint | undefined {
  const id = tel.labels[kind];
  return id === undefined ? undefined : tapsFor(tel.registry)?.point(kind, id, direction, signal, tel.labels.pipeline);
}

export function observeReceiver<S extends Signal>(tel: SelfTelemetry, signal: S, next: Consumer<SignalData[S]>): Consumer<SignalData[S]> {
  const accepted = tel.counter('telemd_receiver_accepted_items_total', 'Items a receiver pushed into the pipeline that were accepted', { signal });
  const refused = tel.counter('telemd_receiver_refused_items_total', 'Items a receiver pushed into the pipeline that were refused', {
    signal,
    reason: 'retryable',
  });
  const refusedPermanent = tel.counter('telemd_receiver_refused_items_total', 'Items a receiver pushed into the pipeline that were refused', {
    signal,
    reason: 'permanent',
  });
  const tap = tapPoint(tel, 'receiver', 'out', signal);
  return {
    // Not async: a suspended async frame would keep `data` alive until the acknowledgement,
    // and batches held that long get promoted to the old generation (costly GC).
    consume(data) {
      const n = countItems(signal, data);
      if (tap !== undefined && tap.taps.length !== 0) tap.offer(data);
      let p: Promise<void>;
      try {
        p = next.consume(data);
      } catch (err) {
        p = Promise.reject(err);
      }
      return p.then(
        () => accepted.add(n),
        (err: unknown) => {
          // A permanent refusal may concern only part of the batch (OTLP partial success).
          const part = err instanceof ConsumerError && err.rejectedItems !== undefined ? Math.min(n, err.rejectedItems) : n;
          (isPermanent(err) ? refusedPermanent : refused).add(part);
          accepted.add(n - part);
          throw err;
        },
      );
    },
  };
}

export function observeProcessorInput<S extends Signal>(tel: SelfTelemetry, signal: S, next: Consumer<SignalData[S]>): Consumer<SignalData[S]> {
  const incoming = tel.counter('telemd_processor_incoming_items_total', 'Items that entered a processor', { signal });
  const tap = tapPoint(tel, 'processor', 'in', signal);
  return {
    consume(data) {
      incoming.add(countItems(signal, data));
      if (tap !== undefined && tap.taps.length !== 0) tap.offer(data);
      return next.consume(data);
    },
  };
}

export function observeProcessorOutput<S extends Signal>(tel: SelfTelemetry, signal: S, next: Consumer<SignalData[S]>): Consumer<SignalData[S]> {
  const outgoing = tel.counter('telemd_processor_outgoing_items_total', 'Items a processor passed on', { signal });
  const tap = tapPoint(tel, 'processor', 'out', signal);
  return {
    consume(data) {
      outgoing.add(countItems(signal, data));
      if (tap !== undefined && tap.taps.length !== 0) tap.offer(data);
      return next.consume(data);
    },
  };
}

export function observeConnectorInput<S extends Signal>(tel: SelfTelemetry, signal: S, next: Consumer<SignalData[S]>): Consumer<SignalData[S]> {
  const incoming = tel.counter('telemd_connector_incoming_items_total', 'Items that entered a connector (its exporter side)', { signal });
  const id = tel.labels.connector;
  const tap = id === undefined ? undefined : tapsFor(tel.registry)?.point('connector', id, 'in', signal);
  return {
    consume(data) {
      incoming.add(countItems(signal, data));
      if (tap !== undefined && tap.taps.length !== 0) tap.offer(data);
      return next.consume(data);
    },
  };
}

/** What a connector hands to one pipeline it feeds, for taps on its receiver side. */
export function tapConnectorOutput<S extends Signal>(tel: SelfTelemetry, signal: S, pipeline: string, next: Consumer<SignalData[S]>): Consumer<SignalData[S]> {
  const id = tel.labels.connector;
  const tap = id === undefined ? undefined : tapsFor(tel.registry)?.point('connector', id, 'out', signal, pipeline);
  if (tap === undefined) return next;
  return {
    consume(data) {
      if (tap.taps.length !== 0) tap.offer(data);
      return next.consume(data);
    },
  };
}
