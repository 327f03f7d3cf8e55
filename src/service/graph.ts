// The running pipelines: component instances wired as consumers, started and stopped in order.
import type { Logger } from 'pino';
import type { ComponentId, CreateSettings, Exporter, Extension, ExtensionHost, Host, Kind, Processor, Receiver } from '../component/component.js';
import type { Consumer, SignalConsumers } from '../component/consumer.js';
import type { ComponentInfo, ComponentState, GraphEdge, GraphView, ServiceView } from '../component/service-view.js';
import { isStorageExtension, type StorageClient } from '../component/storage.js';
import type { AgentConfig, ComponentConfig } from '../config/resolve.js';
import type { Signal, SignalData } from '../pdata/types.js';
import type { MetricRegistry } from '../telemetry/self.js';
import { SelfTelemetry } from '../telemetry/self.js';
import { fanout } from './fanout.js';
import { observeProcessorInput, observeProcessorOutput, observeReceiver } from './observe.js';
import type { StatusBoard } from './status.js';

type AnyData = SignalData[Signal];

interface Running {
  key: string;
  label: string;
  kind: Kind;
  id: ComponentId;
  pipeline?: string;
  signals: Signal[];
  state: ComponentState;
  error?: string;
  mutates?: boolean;
  start(host: Host, service: ServiceView): Promise<void>;
  shutdown(budgetMs: number): Promise<void>;
}

export class Graph {
  private extensions = new Map<string, Extension>();
  private exporters = new Map<string, Exporter>();
  private nodes = new Map<string, Running>();
  /** Processors in pipeline order, per pipeline. */
  private processors: Running[][] = [];
  private edges: GraphEdge[] = [];

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

  private add(r: Omit<Running, 'label' | 'state'>): Running {
    const label = r.pipeline ? `${r.kind} ${r.id.id} (pipeline ${r.pipeline})` : `${r.kind} ${r.id.id}`;
    const node: Running = { ...r, label, state: 'created' };
    this.nodes.set(node.key, node);
    return node;
  }

  /** Creates every component; throws (with the component named) if a factory fails. */
  build(): void {
    const { components, pipelines, service } = this.cfg;
    for (const id of service.extensions) {
      const c = components.extension.get(id)!;
      const ext = attempt(c, () => c.factory.create(this.settings(c), c.config));
      this.extensions.set(id, ext);
      this.add({
        key: `extension:${id}`,
        kind: 'extension',
        id: c.id,
        signals: [],
        start: (host, svc) => ext.start({ ...host, service: svc } satisfies ExtensionHost),
        shutdown: (ms) => ext.shutdown(ms),
      });
    }

    const usedExporters = new Map<string, Set<Signal>>();
    for (const p of pipelines)
      for (const e of p.exporters) (usedExporters.get(e) ?? usedExporters.set(e, new Set()).get(e)!).add(p.signal);
    for (const [id, signals] of usedExporters) {
      const c = components.exporter.get(id)!;
      const exp = attempt(c, () => c.factory.create(this.settings(c), c.config, [...signals]));
      this.exporters.set(id, exp);
      this.add({
        key: `exporter:${id}`,
        kind: 'exporter',
        id: c.id,
        signals: [...signals],
        mutates: exp.capabilities?.mutatesData ?? false,
        start: (host) => exp.start(host),
        shutdown: (ms) => exp.shutdown(ms),
      });
    }

    // Pipeline heads, per receiver and signal, with whether the pipeline mutates what it gets.
    const heads = new Map<string, Map<Signal, { consumer: Consumer<AnyData>; mutates: boolean }[]>>();
    for (const p of pipelines) {
      const exps = p.exporters.map((e) => {
        const exp = this.exporters.get(e)!;
        const consumer: Consumer<AnyData> | undefined = exp.consumers[p.signal];
        if (!consumer) throw new Error(`exporter "${e}" does not consume ${p.signal}`);
        return { consumer, mutates: exp.capabilities?.mutatesData ?? false };
      });
      let next: Consumer<AnyData> = fanout(
        exps.map((e) => e.consumer),
        exps.map((e) => e.mutates),
      );
      let mutates = exps.some((e) => e.mutates);
      let downstream = p.exporters.map((e) => `exporter:${e}`);
      const procs: Running[] = [];
      for (let i = p.processors.length - 1; i >= 0; i--) {
        const c = components.processor.get(p.processors[i]!)!;
        const set = this.settings(c, { pipeline: p.id });
        const out = observeProcessorOutput(set.telemetry, p.signal, next);
        const proc: Processor<AnyData> = attempt(c, () => c.factory.create(set, c.config, p.signal, out));
        const procMutates = proc.capabilities?.mutatesData ?? true;
        mutates ||= procMutates;
        const node = this.add({
          key: `processor:${c.id.id}@${p.id}`,
          kind: 'processor',
          id: c.id,
          pipeline: p.id,
          signals: [p.signal],
          mutates: procMutates,
          start: (host) => proc.start(host),
          shutdown: (ms) => proc.shutdown(ms),
        });
        for (const d of downstream) this.edges.push({ from: node.key, to: d, pipeline: p.id, signal: p.signal });
        downstream = [node.key];
        procs.unshift(node);
        next = observeProcessorInput(set.telemetry, p.signal, proc);
      }
      this.processors.push(procs);
      for (const r of p.receivers) {
        for (const d of downstream) this.edges.push({ from: `receiver:${r}`, to: d, pipeline: p.id, signal: p.signal });
        const bySignal = heads.get(r) ?? heads.set(r, new Map()).get(r)!;
        (bySignal.get(p.signal) ?? bySignal.set(p.signal, []).get(p.signal)!).push({ consumer: next, mutates });
      }
    }

    for (const [id, bySignal] of heads) {
      const c = components.receiver.get(id)!;
      const set = this.settings(c);
      const next: SignalConsumers = {};
      for (const [signal, list] of bySignal) {
        // Pipelines that mutate get their own copy when the receiver feeds several.
        const fan = fanout(
          list.map((h) => h.consumer),
          list.map((h) => h.mutates),
        );
        next[signal] = observeReceiver(set.telemetry, signal, fan);
      }
      const rec: Receiver = attempt(c, () => c.factory.create(set, c.config, next));
      this.add({
        key: `receiver:${id}`,
        kind: 'receiver',
        id: c.id,
        signals: [...bySignal.keys()],
        start: (host) => rec.start(host),
        shutdown: (ms) => rec.shutdown(ms),
      });
    }
  }

  private hostFor(r: Running): Host {
    return {
      getExtension: (extId) => this.extensions.get(extId),
      getStorage: async (extId, owner, signal): Promise<StorageClient> => {
        const ext = this.extensions.get(extId);
        if (!ext) throw new Error(`storage extension "${extId}" is not enabled (list it under service.extensions)`);
        if (!isStorageExtension(ext)) throw new Error(`extension "${extId}" does not provide storage`);
        return ext.getClient(r.kind, owner ?? r.id, signal);
      },
      reportFatal: (cid, err) => {
        r.state = 'failed';
        r.error = err instanceof Error ? err.message : String(err);
        this.status.fatal(cid, err);
      },
    };
  }

  private ofKind(kind: Kind): Running[] {
    return [...this.nodes.values()].filter((r) => r.kind === kind);
  }

  /**
   * Starts extensions, exporters, processors, then receivers. On failure every created component
   * is shut down, started or not: some take resources when created (shared monitors, handles).
   */
  async start(service: ServiceView): Promise<void> {
    const order: Running[] = [
      ...this.ofKind('extension'),
      ...this.ofKind('exporter'),
      ...this.processors.flatMap((procs) => [...procs].reverse()),
      ...this.ofKind('receiver'),
    ];
    for (const r of order) {
      r.state = 'starting';
      try {
        await r.start(this.hostFor(r), service);
        r.state = 'running';
      } catch (err) {
        r.state = 'failed';
        r.error = (err as Error).message;
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
    const stage = async (items: Running[]) => {
      await Promise.all(
        items
          .filter((r) => r.state === 'running' || r.state === 'failed' || (includeUnstarted && r.state === 'created'))
          .map(async (r) => {
            const left = Math.max(0, deadline - Date.now());
            r.state = 'stopping';
            try {
              await withTimeout(r.shutdown(left), left, `${r.label} did not stop within the shutdown timeout`);
            } catch (err) {
              this.logger.error({ err, component: r.label }, 'shutdown failed');
            }
            r.state = 'stopped';
          }),
      );
    };
    await stage(this.ofKind('receiver'));
    // Processors of a pipeline flush into their successors: stop them in order.
    const depth = Math.max(0, ...this.processors.map((p) => p.length));
    for (let i = 0; i < depth; i++) await stage(this.processors.flatMap((p) => (p[i] ? [p[i]!] : [])));
    await stage(this.ofKind('exporter'));
    await stage(this.ofKind('extension'));
  }

  /** The nodes and edges, for the service view. */
  view(): GraphView {
    const nodes: ComponentInfo[] = [...this.nodes.values()].map((r) => ({
      key: r.key,
      kind: r.kind,
      id: r.id.id,
      type: r.id.type,
      ...(r.pipeline ? { pipeline: r.pipeline } : {}),
      signals: r.signals,
      state: r.state,
      ...(r.error ? { error: r.error } : {}),
      ...(r.mutates !== undefined ? { mutatesData: r.mutates } : {}),
    }));
    return { nodes, edges: this.edges.map((e) => ({ ...e })) };
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
