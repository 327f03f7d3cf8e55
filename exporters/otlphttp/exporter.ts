import { gzip } from 'node:zlib';
import { promisify } from 'node:util';
import type { CreateSettings, Exporter, Host } from '../../src/component/component.js';
import type { SignalConsumers } from '../../src/component/consumer.js';
import type { Signal } from '../../src/pdata/types.js';
import { decodeExportResponse, decodeExportResponseJson, decodeJson, decodeProto, encodeJsonBytes, encodeProto } from '../../src/otlp/index.js';
import { OtlpSenders } from '../../src/exporterhelper/otlp-senders.js';
import { signalUrl, type Config } from './config.js';
import { OtlpHttpClient } from './client.js';
import { clientAuthenticator } from '../../src/auth/auth.js';

const gzipP = promisify(gzip);

export class OtlpHttpExporter implements Exporter {
  readonly consumers: SignalConsumers;
  private readonly senders: OtlpSenders;
  private client: OtlpHttpClient;

  constructor(set: CreateSettings, private readonly cfg: Config, signals: readonly Signal[]) {
    this.client = new OtlpHttpClient(cfg.tls, cfg.headers);
    const json = cfg.encoding === 'json';
    const ct = json ? 'application/json' : 'application/x-protobuf';
    const urls = new Map<Signal, string>();
    for (const signal of signals) {
      const url = signalUrl(cfg, signal);
      if (!url) throw new Error(`no URL for ${signal}: set endpoint or ${signal}_endpoint`);
      urls.set(signal, url);
    }
    this.senders = new OtlpSenders({
      set, signals, cfg, protobuf: !json,
      // A 413 (body over the server's limit) is answered by sending the batch in halves.
      tooLarge: (err) => err instanceof Error && err.message.startsWith('HTTP 413:'),
      // Logs JSON is written as bytes directly (no string round trip).
      encode: (signal, d) => (json ? encodeJsonBytes(signal, d) : encodeProto(signal, d)),
      decode: (signal, b) => (json ? decodeJson(signal, Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8')) : decodeProto(signal, b)),
      request: async (signal, encoded, abort) => {
        const body = cfg.compression === 'gzip' ? await gzipP(encoded) : encoded;
        const res = await this.client.post(urls.get(signal)!, body, ct, cfg.compression === 'gzip', abort);
        return () => (json ? decodeExportResponseJson(signal, res.toString('utf8')) : decodeExportResponse(res));
      },
    });
    this.consumers = this.senders.consumers;
  }

  async start(host: Host): Promise<void> {
    if (this.cfg.auth) this.client.auth = clientAuthenticator(host, this.cfg.auth.authenticator);
    await this.senders.start(host);
  }

  async shutdown(budgetMs?: number): Promise<void> {
    await this.senders.shutdown(budgetMs);
    this.client.close();
  }
}
