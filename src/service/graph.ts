// The running pipelines: component instances wired as consumers through switches, so that a
// reload rebuilds only the nodes whose config or position changed and re-points the rest.
import type { Logger } from 'pino';
import { connectorCreate, type CreateSettings, type ExtensionHost, type Host } from '../component/component.js';
import type { Consumer, SignalConsumers } from '../component/consumer.js';
import type { ComponentInfo, ComponentState, GraphView, ReloadResult, ServiceView } from '../component/service-view.js';
import { isStorageExtension, type StorageClient } from '../component/storage.js';
import type { Extension } from '../component/component.js';
import type { ComponentConfig } from '../config/resolve.js';
import { countItems } from '../pdata/count.js';
import type { Signal, SignalData } from '../pdata/types.js';
import type { MetricRegistry } from '../telemetry/self.js';
import { SelfTelemetry } from '../telemetry/self.js';
import { beginListenerHandoff, endListenerHandoff } from '../net/http-server.js';
import { fanout } from './fanout.js';
import { observeConnectorInput, observeProcessorInput, observeProcessorOutput, observeReceiver, tapConnectorOutput } from './observe.js';
import { edgesOf, fingerprint, type NodeSpec, type Plan, type PipelinePlan } from './plan.js';
import { Router, type Route } from './router.js';
import type { StatusBoard } from './status.js';
import { Switch } from './switch.js';

type AnyData = SignalData[Signal];

/** One running component instance. */
interface Node {
  spec: NodeSpec;
  label: string;
  state: ComponentState;
  error?: string;
  start(host: Host, service: ServiceView): Promise<void>;
  shutdown(budgetMs: number): Promise<void>;
  /** What the node's input switches forward to, per signal (exporters, processors, connectors). */
  entries: Map<Signal, Consumer<AnyData>>;
  /** The node's outputs: receivers per signal, a processor's next. */
  outputs: Map<Signal, Switch<AnyData>>;
  router?: Router<Signal>;
  /** A connector's self-telemetry (its receiver-side taps use it). */
  telemetry?: SelfTelemetry;
  /** A processor's hand-over outputs, per signal. */
  emits: Map<Signal, Switch<AnyData>>;
  /** A hand-over point: where the hand-over connector's records enter (counted, then downstream). */
  inject?: Consumer<AnyData>;
  /** Declared capabilities (processors, exporters, connectors). */
  mutates?: boolean;
  /** Extensions it asked for (rebuilt with them). */
  uses: Set<string>;
  extension?: Extension;
}

export type Changes = NonNullable<ReloadResult['changes']>;

const EMPTY: Plan = { nodes: new Map(), pipelines: [], handovers: [], extensions: [], levels: [] };

export class Graph {
  private nodes = new Map<string, Node>();
  /** Node inputs, by key and signal: they outlive instances, so upstream fan-outs keep pointing at them. */
  private slots = new Map<string, Map<Signal, Switch<AnyData>>>();
  private plan: Plan = EMPTY;

  constructor(
    private readonly logger: Logger,
    private readonly metrics: MetricRegistry,
    private readonly status: StatusBoard,
    private readonly service: ServiceView,
  ) {}

  private settings(c: ComponentConfig, extra: Record<string, string> = {}): CreateSettings {
    return {
      id: c.id,
      kind: c.kind,
      logger: this.logger.child({ kind: c.kind, id: c.id.id, ...extra }),
      telemetry: new SelfTelemetry(this.metrics, { [c.kind]: c.id.id, ...extra }),
    };
  }

  /**
   * Makes `plan` run. Nodes with the same key and fingerprint keep running untouched; the others
   * are stopped (upstream first, their switches holding new batches), the new ones created and
   * started (downstream first) and every switch re-pointed. If a new node fails to be created or
   * started, what was built is released, the previous plan is restored and the error thrown.
   */
  async apply(plan: Plan, budgetMs: number): Promise<Changes> {
    const before = this.plan;
    const diff = this.diff(plan);
    const changes: Changes = { kept: diff.kept.length, rebuilt: diff.rebuilt, added: diff.added, removed: diff.removed };
    if (diff.rebuilt.length + diff.added.length + diff.removed.length === 0 && sameWiring(before, plan)) {
      this.plan = plan;
      for (const k of diff.kept) this.nodes.get(k)!.spec = plan.nodes.get(k)!;
      return changes;
    }
    // Created before anything stops: a factory that refuses its config changes nothing.
    const created = new Map<string, Node>();
    try {
      for (const k of [...diff.rebuilt, ...diff.added]) created.set(k, this.create(plan.nodes.get(k)!));
    } catch (err) {
      await this.stopAll([...created.values()], 5000, true);
      throw err;
    }
    // Listeners of components being replaced stay bound for their successors (same address).
    beginListenerHandoff();
    try {
      return await this.replace(plan, before, diff, created, changes, budgetMs);
    } finally {
      await endListenerHandoff();
    }
  }

  private async replace(plan: Plan, before: Plan, diff: ReturnType<Graph['diff']>, created: Map<string, Node>, changes: Changes, budgetMs: number): Promise<Changes> {
    await this.stopOld([...diff.rebuilt, ...diff.removed], budgetMs);
    for (const k of diff.removed) this.dropSlots(k);
    for (const k of diff.kept) this.nodes.get(k)!.spec = plan.nodes.get(k)!;
    for (const [k, n] of created) {
      this.nodes.set(k, n);
      this.ensureSlots(k, n.spec, true);
    }
    this.plan = plan;
    this.wire();
    try {
      await this.startNew(plan, created);
    } catch (err) {
      // Back to the previous plan: release what this apply built, then rebuild what it stopped.
      for (const k of created.keys()) for (const sw of this.slots.get(k)?.values() ?? []) sw.hold();
      await this.stopAll([...created.values()], 5000, true);
      for (const k of created.keys()) {
        this.nodes.delete(k);
        if (!before.nodes.has(k)) this.dropSlots(k);
      }
      if (before !== EMPTY) await this.apply(before, budgetMs).catch((e: unknown) => this.logger.error({ err: e }, 'restoring the previous pipelines failed'));
      throw err;
    }
    // Files a component created when it started (a token file) are part of what it runs with now.
    for (const n of created.values()) n.spec = { ...n.spec, fingerprint: fingerprint(n.spec.c.config, n.spec.position) };
    return changes;
  }

  /** Stops everything: receivers first, then processors in pipeline order, exporters, extensions. */
  async shutdown(budgetMs: number): Promise<void> {
    await this.stopOld([...this.nodes.keys()], budgetMs);
    for (const k of [...this.slots.keys()]) this.dropSlots(k);
    this.plan = EMPTY;
  }

  private diff(plan: Plan): { kept: string[]; rebuilt: string[]; added: string[]; removed: string[] } {
    const kept: string[] = [];
    const rebuilt: string[] = [];
    const added: string[] = [];
    for (const [k, spec] of plan.nodes) {
      const n = this.nodes.get(k);
      if (!n) added.push(k);
      else if (n.spec.fingerprint !== spec.fingerprint || n.state === 'failed') rebuilt.push(k);
      else kept.push(k);
    }
    const removed = [...this.nodes.keys()].filter((k) => !plan.nodes.has(k));
    // A node that uses a replaced extension is rebuilt with it (its storage client, its lock).
    const gone = new Set([...rebuilt, ...removed].filter((k) => k.startsWith('extension:')).map((k) => k.slice('extension:'.length)));
    if (gone.size > 0)
      for (let i = kept.length - 1; i >= 0; i--) {
        const n = this.nodes.get(kept[i]!)!;
        if ([...n.uses].some((u) => gone.has(u))) rebuilt.push(...kept.splice(i, 1));
      }
    return { kept, rebuilt, added, removed };
  }

  private ensureSlots(key: string, spec: NodeSpec, held: boolean): void {
    if (spec.kind === 'receiver' || spec.kind === 'extension') return;
    const inputs = spec.kind === 'exporter' ? spec.signals : [spec.pair ? spec.pair[spec.handover ? 1 : 0] : spec.signals[0]!];
    const m = this.slots.get(key) ?? new Map<Signal, Switch<AnyData>>();
    this.slots.set(key, m);
    for (const sig of inputs) {
      if (m.has(sig)) continue;
      const sw = new Switch<AnyData>(undefined, `${key} (${sig})`);
      if (held) sw.hold();
      m.set(sig, sw);
    }
    for (const sig of [...m.keys()])
      if (!inputs.includes(sig)) {
        m.get(sig)!.release(undefined);
        m.delete(sig);
      }
  }

  private dropSlots(key: string): void {
    for (const sw of this.slots.get(key)?.values() ?? []) sw.release(undefined);
    this.slots.delete(key);
  }

  private slot(key: string, signal: Signal): Switch<AnyData> {
    const sw = this.slots.get(key)?.get(signal);
    if (!sw) throw new Error(`internal: no input for ${key} (${signal})`);
    return sw;
  }

  private create(spec: NodeSpec): Node {
    const c = spec.c;
    const label = spec.pipeline ? `${c.kind} ${c.id.id} (pipeline ${spec.pipeline})` : spec.pair ? `connector ${c.id.id} (${spec.pair[0]} to ${spec.pair[1]})` : `${c.kind} ${c.id.id}`;
    const base = {
      spec,
      label,
      state: 'created' as ComponentState,
      entries: new Map<Signal, Consumer<AnyData>>(),
      outputs: new Map<Signal, Switch<AnyData>>(),
      emits: new Map<Signal, Switch<AnyData>>(),
      uses: new Set<string>(),
    };
    const idle = { start: async () => {}, shutdown: async () => {} };
    if (spec.handover) {
      // The hand-over connector of an analysis processor: what its instances emit, to the points.
      // What crosses is already of the receiving signal (the processor made it).
      const to = spec.pair![1];
      const tel = new SelfTelemetry(this.metrics, { connector: c.id.id });
      const router = new Router(to, spec.feeds, label, tel);
      base.entries.set(to, observeConnectorInput(tel, to, router));
      return { ...base, ...idle, router, telemetry: tel, mutates: false };
    }
    if (spec.point) {
      // Where handed-over records enter a pipeline: its own batches pass on untouched.
      const signal = spec.signals[0]!;
      const set = this.settings(c, { pipeline: spec.pipeline! });
      const out = new Switch<AnyData>(undefined, `${label} output`);
      base.outputs.set(signal, out);
      base.entries.set(signal, observeProcessorInput(set.telemetry, signal, observeProcessorOutput(set.telemetry, signal, out)));
      const injected = set.telemetry.counter('telemd_processor_injected_items_total', 'Items a processor added from its twin in another pipeline', { signal });
      const inject: Consumer<AnyData> = {
        consume: (d) => {
          injected.add(countItems(signal, d));
          return out.consume(d);
        },
      };
      return { ...base, ...idle, inject, mutates: false };
    }
    try {
      switch (c.factory.kind) {
        case 'extension': {
          const ext = c.factory.create(this.settings(c), c.config);
          return {
            ...base,
            extension: ext,
            start: (host, service) => ext.start({ ...host, service } satisfies ExtensionHost),
            shutdown: (ms) => ext.shutdown(ms),
          };
        }
        case 'exporter': {
          const exp = c.factory.create(this.settings(c), c.config, spec.signals);
          for (const sig of spec.signals) {
            const consumer: Consumer<AnyData> | undefined = exp.consumers[sig];
            if (!consumer) throw new Error(`it does not consume ${sig}`);
            base.entries.set(sig, consumer);
          }
          return { ...base, mutates: exp.capabilities?.mutatesData ?? false, start: (h) => exp.start(h), shutdown: (ms) => exp.shutdown(ms) };
        }
        case 'processor': {
          const signal = spec.signals[0]!;
          const set = this.settings(c, { pipeline: spec.pipeline! });
          const out = new Switch<AnyData>(undefined, `${label} output`);
          let emit: SignalConsumers | undefined;
          for (const to of spec.emitTo ?? []) {
            const sw = new Switch<AnyData>(undefined, `${label} hand-over (${to})`);
            base.emits.set(to, sw);
            (emit ??= {})[to] = sw;
          }
          const proc = c.factory.create(set, c.config, signal, observeProcessorOutput(set.telemetry, signal, out), emit);
          base.outputs.set(signal, out);
          base.entries.set(signal, observeProcessorInput(set.telemetry, signal, proc));
          return { ...base, mutates: proc.capabilities?.mutatesData ?? true, start: (h) => proc.start(h), shutdown: (ms) => proc.shutdown(ms) };
        }
        case 'receiver': {
          const set = this.settings(c);
          const next: SignalConsumers = {};
          for (const sig of spec.signals) {
            const out = new Switch<AnyData>(undefined, `${label} output (${sig})`);
            base.outputs.set(sig, out);
            next[sig] = observeReceiver(set.telemetry, sig, out);
          }
          const rec = c.factory.create(set, c.config, next);
          return { ...base, start: (h) => rec.start(h), shutdown: (ms) => rec.shutdown(ms) };
        }
        case 'connector': {
          const [from, to] = spec.pair!;
          const set = this.settings(c);
          const router = new Router(to, spec.feeds, label, set.telemetry);
          const make = connectorCreate(c.factory, from, to)!;
          const conn = make(set, c.config, router);
          base.entries.set(from, observeConnectorInput(set.telemetry, from, conn));
          return { ...base, router, telemetry: set.telemetry, mutates: conn.capabilities?.mutatesData ?? true, start: (h) => conn.start(h), shutdown: (ms) => conn.shutdown(ms) };
        }
      }
    } catch (err) {
      throw new Error(`${c.kind} "${c.id.id}" could not be created: ${(err as Error).message}`, { cause: err });
    }
  }

  /** Points every switch at the current plan's fan-outs (cheap: no component is touched). */
  private wire(): void {
    const plan = this.plan;
    const byId = new Map(plan.pipelines.map((p) => [p.id, p]));
    const mutating = new Map<string, boolean>();
    const sinkMutates = (key: string, signal: Signal): boolean => {
      const n = this.nodes.get(key)!;
      let m = n.mutates ?? false;
      // A connector that hands the same signal on passes the batch itself: it inherits what the
      // pipelines it feeds do to it (as the Collector's graph does).
      if (!m && n.spec.pair && n.spec.pair[0] === n.spec.pair[1] && n.spec.pair[0] === signal)
        m = n.spec.feeds.some((id) => pipelineMutates(byId.get(id)!));
      return m;
    };
    const pipelineMutates = (p: PipelinePlan): boolean => {
      let m = mutating.get(p.id);
      if (m === undefined) {
        m = p.processors.some((k) => this.nodes.get(k)!.mutates ?? true) || p.sinks.some((k) => sinkMutates(k, p.signal));
        mutating.set(p.id, m);
      }
      return m;
    };
    /** Whether what enters a pipeline after processor `index` may be changed on its way. */
    const mutatesAfter = (p: PipelinePlan, index: number): boolean =>
      p.processors.slice(index + 1).some((k) => this.nodes.get(k)!.mutates ?? true) || p.sinks.some((k) => sinkMutates(k, p.signal));
    const heads = new Map<string, Consumer<AnyData>>();
    for (const p of plan.pipelines) {
      const sinks = fanout(
        p.sinks.map((k) => this.slot(k, p.signal)),
        p.sinks.map((k) => sinkMutates(k, p.signal)),
      );
      for (let i = p.processors.length - 1; i >= 0; i--) {
        const next = i === p.processors.length - 1 ? sinks : this.slot(p.processors[i + 1]!, p.signal);
        this.nodes.get(p.processors[i]!)!.outputs.get(p.signal)!.set(next);
      }
      heads.set(p.id, p.processors.length > 0 ? this.slot(p.processors[0]!, p.signal) : sinks);
    }
    const fed = new Map<string, PipelinePlan[]>();
    for (const p of plan.pipelines) for (const s of p.sources) (fed.get(s) ?? fed.set(s, []).get(s)!).push(p);
    for (const [key, n] of this.nodes) {
      if (n.spec.kind === 'receiver') {
        for (const [sig, out] of n.outputs) {
          const ps = (fed.get(key) ?? []).filter((p) => p.signal === sig);
          out.set(
            fanout(
              ps.map((p) => heads.get(p.id)!),
              ps.map((p) => pipelineMutates(p)),
            ),
          );
        }
      } else if (n.router) {
        const routes = new Map<string, Route<AnyData>>();
        for (const id of n.spec.feeds) {
          const p = byId.get(id)!;
          // A hand-over enters at its point (the twin's place), else at the head.
          const at = n.spec.handover ? p.processors.indexOf(`processor:${n.spec.handover}@${id}`) : -1;
          const tel = n.telemetry!;
          if (at >= 0) routes.set(id, { head: tapConnectorOutput(tel, p.signal, id, this.nodes.get(p.processors[at]!)!.inject!), mutates: mutatesAfter(p, at) });
          else routes.set(id, { head: tapConnectorOutput(tel, p.signal, id, heads.get(id)!), mutates: pipelineMutates(p) });
        }
        n.router.setRoutes(routes);
      }
      for (const [to, sw] of n.emits) sw.set(this.slot(`handover:${n.spec.c.id.id}:${n.spec.signals[0]!}>${to}`, to));
    }
  }

  private hostFor(n: Node): Host {
    return {
      getExtension: (extId) => {
        n.uses.add(extId);
        return this.nodes.get(`extension:${extId}`)?.extension;
      },
      getStorage: async (extId, owner, signal): Promise<StorageClient> => {
        n.uses.add(extId);
        const ext = this.nodes.get(`extension:${extId}`)?.extension;
        if (!ext) throw new Error(`storage extension "${extId}" is not enabled (list it under service.extensions)`);
        if (!isStorageExtension(ext)) throw new Error(`extension "${extId}" does not provide storage`);
        return ext.getClient(n.spec.kind, owner ?? n.spec.c.id, signal);
      },
      reportFatal: (cid, err) => {
        n.state = 'failed';
        n.error = err instanceof Error ? err.message : String(err);
        this.status.fatal(cid, err);
      },
    };
  }

  /** Extensions first (service order), then data nodes downstream first; each opens its inputs once running. */
  private async startNew(plan: Plan, created: Map<string, Node>): Promise<void> {
    const order = [...plan.extensions, ...[...plan.levels].reverse().flat()].filter((k) => created.has(k));
    for (const k of order) {
      const n = created.get(k)!;
      n.state = 'starting';
      this.status.forget(n.spec.c.id.id);
      try {
        await n.start(this.hostFor(n), this.service);
        n.state = 'running';
      } catch (err) {
        n.state = 'failed';
        n.error = (err as Error).message;
        throw new Error(`${n.label} failed to start: ${(err as Error).message}`, { cause: err });
      }
      for (const [sig, sw] of this.slots.get(k) ?? []) sw.release(n.entries.get(sig));
    }
  }

  /**
   * Stops running nodes upstream first (what they flush still finds its downstream running),
   * extensions last. Each node's inputs hold new batches from the moment it starts stopping.
   */
  private async stopOld(keys: string[], budgetMs: number): Promise<void> {
    const deadline = Date.now() + budgetMs;
    const set = new Set(keys);
    const stages = [...this.plan.levels.map((l) => l.filter((k) => set.has(k))), this.plan.extensions.filter((k) => set.has(k))];
    const staged = new Set(stages.flat());
    stages.push(keys.filter((k) => !staged.has(k)));
    for (const stage of stages) {
      const nodes = stage.flatMap((k) => (this.nodes.has(k) ? [this.nodes.get(k)!] : []));
      for (const n of nodes) for (const sw of this.slots.get(n.spec.key)?.values() ?? []) sw.hold();
      await this.stopAll(nodes, Math.max(0, deadline - Date.now()), false);
      for (const n of nodes) this.nodes.delete(n.spec.key);
    }
  }

  private async stopAll(nodes: Node[], budgetMs: number, includeUnstarted: boolean): Promise<void> {
    const deadline = Date.now() + budgetMs;
    await Promise.all(
      nodes
        .filter((n) => n.state === 'running' || n.state === 'failed' || n.state === 'starting' || (includeUnstarted && n.state === 'created'))
        .map(async (n) => {
          const left = Math.max(0, deadline - Date.now());
          n.state = 'stopping';
          try {
            await withTimeout(n.shutdown(left), left, `${n.label} did not stop within the shutdown timeout`);
          } catch (err) {
            this.logger.error({ err, component: n.label }, 'shutdown failed');
          }
          n.state = 'stopped';
        }),
    );
  }

  /** The nodes and edges, for the service view (a connector's pairs shown as one node). */
  view(): GraphView {
    const viewKey = (k: string) => (k.startsWith('connector:') || k.startsWith('handover:') ? `connector:${k.split(':')[1]}` : k);
    const nodes = new Map<string, ComponentInfo>();
    for (const n of this.nodes.values()) {
      const key = viewKey(n.spec.key);
      const prev = nodes.get(key);
      if (prev && n.spec.pair) {
        prev.pairs!.push([...n.spec.pair]);
        for (const s of n.spec.pair) if (!prev.signals.includes(s)) prev.signals.push(s);
        continue;
      }
      nodes.set(key, {
        key,
        kind: n.spec.kind,
        id: n.spec.c.id.id,
        ...(n.spec.handover ? { handover: true } : {}),
        type: n.spec.c.id.type,
        ...(n.spec.pipeline ? { pipeline: n.spec.pipeline } : {}),
        signals: [...new Set(n.spec.signals)],
        ...(n.spec.pair ? { pairs: [[...n.spec.pair]] } : {}),
        state: n.state,
        ...(n.error ? { error: n.error } : {}),
        ...(n.mutates !== undefined ? { mutatesData: n.mutates } : {}),
      });
    }
    const seen = new Set<string>();
    const all = [...edgesOf(this.plan.pipelines).map((e) => ({ from: e.from, to: e.to, pipeline: e.pipeline.id, signal: e.pipeline.signal })), ...this.plan.handovers];
    const edges = all.flatMap((e) => {
      const from = viewKey(e.from);
      const to = viewKey(e.to);
      const k = `${from}\u0000${to}\u0000${e.pipeline}`;
      if (seen.has(k)) return [];
      seen.add(k);
      return [{ from, to, pipeline: e.pipeline, signal: e.signal }];
    });
    return { nodes: [...nodes.values()], edges };
  }
}

/** Same pipelines with the same stages in the same order: nothing to re-point. */
function sameWiring(a: Plan, b: Plan): boolean {
  return JSON.stringify([a.pipelines, a.handovers]) === JSON.stringify([b.pipelines, b.handovers]);
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
