// The running pipelines: component instances wired as consumers, started and stopped in order.
import type { Logger } from 'pino';
import type {
  AgentControl,
  ComponentId,
  CreateSettings,
  Exporter,
  Extension,
  Host,
  Kind,
  Lifecycle,
  Processor,
  Receiver,
} from '../component/component.js';
import type { Consumer, SignalConsumers } from '../component/consumer.js';
import type { AgentConfig, ComponentConfig } from '../config/resolve.js';
import type { Signal, SignalData } from '../pdata/types.js';
import { isStorageExtension, type StorageClient } from '../storage/storage.js';
import type { MetricRegistry } from '../telemetry/self.js';
import { SelfTelemetry } from '../telemetry/self.js';
import { fanout } from './fanout.js';
import { observeProcessorInput, observeProcessorOutput, observeReceiver } from './observe.js';
import type { StatusBoard } from './status.js';

interface Running {
  label: string;
  kind: Kind;
  id: ComponentId;
  instance: Lifecycle;
}

export class Graph {
  private extensions = new Map<string, Extension>();
  private exporters = new Map<string, Exporter>();
  private receivers = new Map<string, Receiver>();
  /** Processors in pipeline order, per pipeline. */
  private processors: Running[][] = [];
  private started: Running[] = [];

  constructor(
    private readonly cfg: AgentConfig,
    private readonly logger: Logger,
    private readonly metrics: MetricRegistry,
    private readonly status: StatusBoard,
  ) {}

  private settings(c: ComponentConfig, extra: Record<string, string> = {}): CreateSettings {
    return {
      id: c.id,
      kind: c.kind,
      logger: this.logger.child({ kind: c.kind, id: c.id.id, ...extra }),
      telemetry: new SelfTelemetry(this.metrics, { [c.kind]: c.id.id, ...extra }),
    };
  }

  /** Creates every component; throws (with the component named) if a factory fails. */
  build(): void {
    const { components, pipelines, service } = this.cfg;
    for (const id of service.extensions) {
      const c = components.extension.get(id)!;
      if (c.factory.kind !== 'extension') continue;
      this.extensions.set(id, attempt(c, () => (c.factory as { create: typeof c.factory.create }).create(this.settings(c), c.config as never) as Extension));
    }

    const usedExporters = new Map<string, Set<Signal>>();
    for (const p of pipelines)
      for (const e of p.exporters) (usedExporters.get(e) ?? usedExporters.set(e, new Set()).get(e)!).add(p.signal);
    for (const [id, signals] of usedExporters) {
      const c = components.exporter.get(id)!;
      if (c.factory.kind !== 'exporter') continue;
      const f = c.factory;
      this.exporters.set(id, attempt(c, () => f.create(this.settings(c), c.config as never, [...signals])));
    }

    // Pipeline heads, per receiver and signal.
    const heads = new Map<string, Map<Signal, Consumer<never>[]>>();
    for (const p of pipelines) {
      const exps = p.exporters.map((e) => {
        const consumer = this.exporters.get(e)!.consumers[p.signal];
        if (!consumer) throw new Error(`exporter "${e}" does not consume ${p.signal}`);
        return consumer as Consumer<SignalData[typeof p.signal]>;
      });
      let next: Consumer<SignalData[Signal]> = fanout(exps as Consumer<SignalData[Signal]>[], false);
      const procs: Running[] = [];
      for (let i = p.processors.length - 1; i >= 0; i--) {
        const c = components.processor.get(p.processors[i]!)!;
        if (c.factory.kind !== 'processor') continue;
        const set = this.settings(c, { pipeline: p.id });
        const f = c.factory;
        const out = observeProcessorOutput(set.telemetry, p.signal, next);
        const proc: Processor<SignalData[Signal]> = attempt(c, () => f.create(set, c.config as never, p.signal, out));
        procs.unshift({ label: `processor ${c.id.id} (pipeline ${p.id})`, kind: 'processor', id: c.id, instance: proc });
        next = observeProcessorInput(set.telemetry, p.signal, proc);
      }
      this.processors.push(procs);
      for (const r of p.receivers) {
        const bySignal = heads.get(r) ?? heads.set(r, new Map()).get(r)!;
        (bySignal.get(p.signal) ?? bySignal.set(p.signal, []).get(p.signal)!).push(next as Consumer<never>);
      }
    }

    for (const [id, bySignal] of heads) {
      const c = components.receiver.get(id)!;
      if (c.factory.kind !== 'receiver') continue;
      const set = this.settings(c);
      const next: SignalConsumers = {};
      for (const [signal, list] of bySignal) {
        // Pipeline heads may mutate the batch: each pipeline but the last gets a copy.
        const fan = fanout(list as Consumer<SignalData[Signal]>[], true);
        (next as Record<Signal, Consumer<SignalData[Signal]>>)[signal] = observeReceiver(set.telemetry, signal, fan);
      }
      const f = c.factory;
      this.receivers.set(id, attempt(c, () => f.create(set, c.config as never, next)));
    }
  }

  private hostFor(kind: Kind, id: ComponentId, agent: AgentControl): Host {
    return {
      agent,
      getExtension: (extId) => this.extensions.get(extId),
      getStorage: async (extId, owner, signal): Promise<StorageClient> => {
        const ext = this.extensions.get(extId);
        if (!ext) throw new Error(`storage extension "${extId}" is not enabled (list it under service.extensions)`);
        if (!isStorageExtension(ext)) throw new Error(`extension "${extId}" does not provide storage`);
        return ext.getClient(kind, owner ?? id, signal);
      },
      reportFatal: (cid, err) => this.status.fatal(cid, err),
    };
  }

  /** The extensions, exporters or receivers, labelled for start and shutdown. */
  private running(kind: 'extension' | 'exporter' | 'receiver', built: ReadonlyMap<string, Lifecycle>): Running[] {
    return [...built].map(([id, instance]) => ({ label: `${kind} ${id}`, kind, id: this.cfg.components[kind].get(id)!.id, instance }));
  }

  /**
   * Starts extensions, exporters, processors, then receivers. On failure every created component
   * is shut down, started or not: some take resources when created (shared monitors, handles).
   */
  async start(agent: AgentControl): Promise<void> {
    const order: Running[] = [
      ...this.running('extension', this.extensions),
      ...this.running('exporter', this.exporters),
      ...this.processors.flatMap((procs) => [...procs].reverse()),
      ...this.running('receiver', this.receivers),
    ];
    for (const r of order) {
      try {
        await r.instance.start(this.hostFor(r.kind, r.id, agent));
        this.started.push(r);
      } catch (err) {
        await this.shutdown(5000, true).catch(() => undefined);
        throw new Error(`${r.label} failed to start: ${(err as Error).message}`, { cause: err });
      }
    }
  }

  /**
   * Receivers stop first (no new data), then processors flush in pipeline order, then exporters
   * drain, then extensions close (storage last, queues need it). Each stage gets what is left of
   * the budget.
   */
  async shutdown(budgetMs: number, includeUnstarted = false): Promise<void> {
    const deadline = Date.now() + budgetMs;
    const started = new Set(this.started.map((r) => r.instance));
    const stage = async (items: Running[]) => {
      await Promise.all(
        items
          .filter((r) => includeUnstarted || started.has(r.instance))
          .map(async (r) => {
            const left = Math.max(0, deadline - Date.now());
            try {
              await withTimeout(r.instance.shutdown(left), left, `${r.label} did not stop within the shutdown timeout`);
            } catch (err) {
              this.logger.error({ err, component: r.label }, 'shutdown failed');
            }
          }),
      );
    };
    await stage(this.running('receiver', this.receivers));
    // Processors of a pipeline flush into their successors: stop them in order.
    const depth = Math.max(0, ...this.processors.map((p) => p.length));
    for (let i = 0; i < depth; i++) await stage(this.processors.flatMap((p) => (p[i] ? [p[i]!] : [])));
    await stage(this.running('exporter', this.exporters));
    await stage(this.running('extension', this.extensions));
    this.started = [];
  }

  get extensionMap(): ReadonlyMap<string, Extension> {
    return this.extensions;
  }
}

function attempt<T>(c: ComponentConfig, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw new Error(`${c.kind} "${c.id.id}" could not be created: ${(err as Error).message}`, { cause: err });
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(message)), ms);
      timer.unref();
    }),
  ]).finally(() => clearTimeout(timer));
}
