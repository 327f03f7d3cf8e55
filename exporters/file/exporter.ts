import type { CreateSettings, Exporter } from '../../src/component/component.js';
import { ConsumerError, type SignalConsumers } from '../../src/component/consumer.js';
import { encodeProto } from '../../src/otlp/index.js';
import { encodeJsonBytes } from '../../src/otlp/json-encode.js';
import { countItems } from '../../src/pdata/count.js';
import type { Signal, SignalData } from '../../src/pdata/types.js';
import type { Counter } from '../../src/telemetry/self.js';
import type { Config } from './config.js';
import { RotatingWriter } from './writer.js';

interface Sent {
  sent: Counter;
  failed: Counter;
}

/** Writes OTLP export requests to a file: the format the Collector's file exporter writes. */
export class FileExporter implements Exporter {
  readonly consumers: SignalConsumers = {};
  private writer: RotatingWriter;

  constructor(
    private readonly set: CreateSettings,
    private readonly cfg: Config,
    signals: readonly Signal[],
  ) {
    const syncs = set.telemetry.counter('telemd_exporter_file_syncs_total', 'fdatasyncs of the output file (one per group commit with fsync: true)', {});
    this.writer = new RotatingWriter(cfg, set.logger, () => syncs.add());
    for (const s of signals) {
      // Counters made once per signal, not looked up again for every batch.
      const c: Sent = {
        sent: set.telemetry.counter('telemd_exporter_sent_items_total', 'Items an exporter delivered', { signal: s }),
        failed: set.telemetry.counter('telemd_exporter_send_failed_items_total', 'Items an exporter failed to send', { signal: s }),
      };
      (this.consumers as Record<Signal, unknown>)[s] = { consume: (d: SignalData[Signal]) => this.write(s, d, c) };
    }
  }

  private encode<S extends Signal>(signal: S, data: SignalData[S]): Buffer {
    if (this.cfg.format === 'json') return encodeJsonBytes(signal, data, '\n');
    const body = encodeProto(signal, data);
    const out = Buffer.allocUnsafe(4 + body.length);
    out.writeUInt32BE(body.length, 0);
    out.set(body, 4);
    return out;
  }

  // Encodes synchronously and lets go of `data` before waiting for the disk: batches that stay
  // reachable until the group commit would be promoted to the old generation (costly GC).
  private write<S extends Signal>(signal: S, data: SignalData[S], c: Sent): Promise<void> {
    const n = countItems(signal, data);
    let chunk: Buffer;
    try {
      chunk = this.encode(signal, data);
    } catch (err) {
      c.failed.add(n);
      return Promise.reject(ConsumerError.permanent(`cannot encode ${signal}: ${(err as Error).message}`, { cause: err }));
    }
    return this.commit(chunk, n, c);
  }

  private async commit(chunk: Buffer, n: number, c: Sent): Promise<void> {
    try {
      await this.writer.write(chunk);
      c.sent.add(n);
    } catch (err) {
      c.failed.add(n);
      this.set.logger.error({ err: (err as Error).message, path: this.cfg.path }, 'write failed; the data was refused (retryable)');
      throw ConsumerError.retryable(`cannot write ${this.cfg.path}: ${(err as Error).message}`, { cause: err });
    }
  }

  async start(): Promise<void> {
    await this.writer.open();
  }

  async shutdown(): Promise<void> {
    await this.writer.close();
  }
}
