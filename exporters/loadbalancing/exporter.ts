// The loadbalancing exporter: each item goes to the backend that owns its routing key on a
// consistent-hash ring of the resolved endpoints, over OTLP/gRPC, each backend with its own
// queue and retries (src/exporterhelper: a backend that is down holds back only its share).
import type { CreateSettings, Exporter, Host } from '../../src/component/component.js';
import { ConsumerError, type SignalConsumers } from '../../src/component/consumer.js';
import { clientAuthenticator } from '../../src/auth/auth.js';
import { OtlpSenders } from '../../src/exporterhelper/otlp-senders.js';
import { decodeExportResponse, decodeProto, encodeProto } from '../../src/otlp/index.js';
import { OtlpGrpcClient } from '../../src/otlp/grpc-client.js';
import { loadGrpc } from '../../src/otlp/grpc-module.js';
import type { Signal, SignalData } from '../../src/pdata/types.js';
import type { Config, RoutingKey } from './config.js';
import { DnsResolver, StaticResolver, type Resolver } from './resolver.js';
import { HashRing } from './ring.js';
import { DEFAULT_KEY, NoBackend, route, SUPPORTED } from './route.js';

function tooLarge(err: unknown): boolean {
  return err instanceof Error && /^gRPC RESOURCE_EXHAUSTED: .*larger than max/i.test(err.message);
}

interface Backend {
  endpoint: string;
  client: OtlpGrpcClient;
  senders: OtlpSenders;
}

/** The ring and the backends it names, swapped together. */
interface State {
  ring: HashRing;
  backends: Map<string, Backend>;
}

export class LoadBalancingExporter implements Exporter {
  readonly consumers: SignalConsumers = {};
  private readonly keys = new Map<Signal, RoutingKey>();
  private state: State = { ring: new HashRing([]), backends: new Map() };
  private resolver?: Resolver;
  private host?: Host;
  private updating: Promise<void> = Promise.resolve();
  private stopping = false;
  private readonly draining = new Set<Promise<void>>();

  constructor(
    private readonly set: CreateSettings,
    private readonly cfg: Config,
    private readonly signals: readonly Signal[],
  ) {
    for (const signal of signals) {
      const key = cfg.routing_key ?? DEFAULT_KEY[signal];
      if (!SUPPORTED[signal].includes(key))
        throw new Error(`routing_key ${key} does not apply to ${signal} (${signal}: ${SUPPORTED[signal].join(', ')})`);
      this.keys.set(signal, key);
      (this.consumers as Record<Signal, unknown>)[signal] = { consume: (d: SignalData[typeof signal]) => this.consume(signal, d) };
    }
    set.telemetry.observe('telemd_loadbalancer_backends', 'Backends on the ring', {}, () => this.state.ring.size);
  }

  async start(host: Host): Promise<void> {
    this.host = host;
    const r = this.cfg.resolver;
    this.resolver = r.dns ? new DnsResolver(r.dns, this.set.logger, this.set.telemetry) : new StaticResolver(r.static!.hostnames);
    await this.resolver.start((eps) => this.update(eps));
  }

  /** A new set of endpoints: new backends start before they join the ring; gone ones drain after leaving it. */
  private update(endpoints: string[]): Promise<void> {
    const run = async () => {
      if (this.stopping) return;
      const prev = this.state.backends;
      const next = new Map<string, Backend>();
      for (const ep of endpoints) next.set(ep, prev.get(ep) ?? (await this.startBackend(ep)));
      this.state = { ring: new HashRing(endpoints), backends: next };
      for (const [ep, b] of prev)
        if (!next.has(ep)) {
          this.set.logger.info({ endpoint: ep }, 'loadbalancing: backend left the ring; draining its queue');
          const p = this.stopBackend(b).finally(() => this.draining.delete(p));
          this.draining.add(p);
        }
    };
    this.updating = this.updating.then(run, run);
    return this.updating;
  }

  private async startBackend(endpoint: string): Promise<Backend> {
    const o = this.cfg.protocol.otlp;
    const grpc = await loadGrpc();
    const client = new OtlpGrpcClient(grpc, endpoint, o.tls, o.headers, o.compression === 'gzip');
    if (o.auth) client.auth = clientAuthenticator(this.host!, o.auth.authenticator);
    const safe = endpoint.replace(/[^A-Za-z0-9_.-]/g, '_');
    const set: CreateSettings = {
      ...this.set,
      // Each backend's persistent queue is its own (the storage client is named by this id).
      id: { ...this.set.id, name: `${this.set.id.name ? `${this.set.id.name}_` : ''}${safe}`, id: `${this.set.id.id}/${safe}` },
      logger: this.set.logger.child({ endpoint }),
      telemetry: this.set.telemetry.with({ endpoint }),
    };
    const senders = new OtlpSenders({
      set, signals: this.signals, cfg: o, tooLarge, protobuf: true,
      encode: encodeProto,
      decode: decodeProto,
      request: async (signal, body, abort) => {
        const res = await client.export(signal, body, o.timeout, abort);
        return () => decodeExportResponse(res);
      },
    });
    await senders.start(this.host!);
    this.set.logger.info({ endpoint }, 'loadbalancing: backend joined the ring');
    return { endpoint, client, senders };
  }

  private async stopBackend(b: Backend, budgetMs?: number): Promise<void> {
    await b.senders.shutdown(budgetMs);
    b.client.close();
  }

  private async consume<S extends Signal>(signal: S, data: SignalData[S]): Promise<void> {
    const { ring, backends } = this.state;
    let parts: Map<string, SignalData[S]>;
    try {
      parts = route(signal, data, this.keys.get(signal)!, (k) => ring.owner(k));
    } catch (err) {
      if (err instanceof NoBackend) throw ConsumerError.retryable('loadbalancing: no backend resolved yet');
      throw err;
    }
    // Every part is acknowledged by its own backend; one that fails hands the whole batch back
    // (retryable), and the retry routes it again on the ring as it is then.
    const results = await Promise.allSettled([...parts].map(([ep, part]) => backends.get(ep)!.senders.consumers[signal]!.consume(part)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  async shutdown(budgetMs?: number): Promise<void> {
    this.stopping = true;
    this.resolver?.stop();
    await this.updating.catch(() => undefined);
    await Promise.all([...this.state.backends.values()].map((b) => this.stopBackend(b, budgetMs)));
    await Promise.all(this.draining);
  }
}
