// From a validated config to the nodes of the running graph and how data flows between them.
// A node is one component instance; its key and fingerprint decide, on reload, whether the
// running instance is kept (same key, same fingerprint) or rebuilt.
import { statSync } from 'node:fs';
import { connectorCreate, type Kind } from '../component/component.js';
import { connectorUses, handoverUses } from '../config/connections.js';
import type { AgentConfig, ComponentConfig } from '../config/resolve.js';
import type { Signal } from '../pdata/types.js';

export interface NodeSpec {
  /** `receiver:otlp`, `processor:batch@metrics/a`, `exporter:file`, `connector:count:traces>metrics`, `extension:file_storage`. */
  key: string;
  kind: Kind;
  c: ComponentConfig;
  /** Processors: their pipeline. */
  pipeline?: string;
  /** Receivers and exporters: the signals used; processors: their pipeline's; connectors: the pair. */
  signals: Signal[];
  /** Connectors: exporter side → receiver side. */
  pair?: [Signal, Signal];
  /** Connectors: the pipelines this pair feeds. */
  feeds: string[];
  /** A hand-over connector: the processor id whose records it carries (no factory of its own). */
  handover?: string;
  /** A processor in a pipeline of a signal it emits: the point where handed-over records enter. */
  point?: true;
  /** A processor that hands records over: the signals it has receiving ends for. */
  emitTo?: Signal[];
  /** Config and position: equal fingerprints under the same key = the instance can stay. */
  fingerprint: string;
  /** What besides the config the fingerprint covers. */
  position: unknown;
}

export interface PipelinePlan {
  id: string;
  signal: Signal;
  /** Receivers and connector pairs feeding it (node keys). */
  sources: string[];
  processors: string[];
  /** Exporters and connector pairs it feeds (node keys). */
  sinks: string[];
}

export interface Plan {
  nodes: Map<string, NodeSpec>;
  pipelines: PipelinePlan[];
  /** Hand-overs: processor → its hand-over connector → the points (or pipeline heads) it feeds. */
  handovers: { from: string; to: string; pipeline: string; signal: Signal }[];
  /** Extensions in service.extensions order. */
  extensions: string[];
  /** Data nodes by depth: levels[0] are the sources; a node's upstream is always at a lower level. */
  levels: string[][];
}

export const nodeKey = {
  receiver: (id: string) => `receiver:${id}`,
  exporter: (id: string) => `exporter:${id}`,
  extension: (id: string) => `extension:${id}`,
  processor: (id: string, pipeline: string) => `processor:${id}@${pipeline}`,
  connector: (id: string, from: Signal, to: Signal) => `connector:${id}:${from}>${to}`,
  handover: (id: string, from: Signal, to: Signal) => `handover:${id}:${from}>${to}`,
};

export function planOf(cfg: AgentConfig): Plan {
  const nodes = new Map<string, NodeSpec>();
  const add = (n: Omit<NodeSpec, 'fingerprint' | 'feeds' | 'position'> & { feeds?: string[] }, position: unknown) => {
    const spec = { ...n, feeds: n.feeds ?? [], position, fingerprint: fingerprint(n.c.config, position) };
    nodes.set(spec.key, spec);
    return spec;
  };
  const { components, pipelines, service } = cfg;

  for (const id of service.extensions) add({ key: nodeKey.extension(id), kind: 'extension', c: components.extension.get(id)!, signals: [] }, null);

  const signalsOf = (list: (p: (typeof pipelines)[number]) => string[]) => {
    const m = new Map<string, Set<Signal>>();
    for (const p of pipelines) for (const ref of list(p)) (m.get(ref) ?? m.set(ref, new Set()).get(ref)!).add(p.signal);
    return m;
  };
  for (const [id, sigs] of signalsOf((p) => p.receivers.filter((r) => components.receiver.has(r)))) {
    const signals = [...sigs].sort();
    add({ key: nodeKey.receiver(id), kind: 'receiver', c: components.receiver.get(id)!, signals }, signals);
  }
  for (const [id, sigs] of signalsOf((p) => p.exporters.filter((e) => components.exporter.has(e)))) {
    const signals = [...sigs].sort();
    add({ key: nodeKey.exporter(id), kind: 'exporter', c: components.exporter.get(id)!, signals }, signals);
  }

  // One connector node per signal pair in use, as the Collector builds them.
  const pairsIn = new Map<string, NodeSpec[]>();
  const pairsOut = new Map<string, NodeSpec[]>();
  for (const [id, u] of connectorUses(components, pipelines)) {
    const c = components.connector.get(id)!;
    const froms = new Set(u.asExporter.map((e) => e.pipeline.signal));
    const tos = new Set(u.asReceiver.map((r) => r.pipeline.signal));
    for (const from of froms)
      for (const to of tos) {
        if (!connectorCreate(c.factory, from, to)) continue;
        const feeds = [...new Set(u.asReceiver.filter((r) => r.pipeline.signal === to).map((r) => r.pipeline.id))].sort();
        const spec = add({ key: nodeKey.connector(id, from, to), kind: 'connector', c, signals: [from, to], pair: [from, to], feeds }, feeds);
        (pairsIn.get(`${id}\u0000${from}`) ?? pairsIn.set(`${id}\u0000${from}`, []).get(`${id}\u0000${from}`)!).push(spec);
        (pairsOut.get(`${id}\u0000${to}`) ?? pairsOut.set(`${id}\u0000${to}`, []).get(`${id}\u0000${to}`)!).push(spec);
      }
  }

  // Hand-overs: one connector node per processor id and signal pair, from its own pipelines to
  // the points (its twins, or pipeline heads naming it as a receiver) in pipelines of the other.
  const handovers: Plan['handovers'] = [];
  const emitTo = new Map<string, Set<Signal>>();
  const headsFed = new Map<string, string[]>();
  for (const [id, u] of handoverUses(components, pipelines)) {
    const c = components.processor.get(id)!;
    const froms = new Set(u.emitters.map((e) => e.pipeline.signal));
    for (const from of froms)
      for (const to of c.factory.emits!) {
        const pts = u.points.filter((pt) => pt.pipeline.signal === to);
        if (pts.length === 0) continue;
        const feeds = [...new Set(pts.map((pt) => pt.pipeline.id))].sort();
        const key = nodeKey.handover(id, from, to);
        add({ key, kind: 'connector', c, signals: [from, to], pair: [from, to], feeds, handover: id }, feeds);
        for (const e of u.emitters.filter((x) => x.pipeline.signal === from)) {
          (emitTo.get(id + '\u0000' + e.pipeline.id) ?? emitTo.set(id + '\u0000' + e.pipeline.id, new Set()).get(id + '\u0000' + e.pipeline.id)!).add(to);
          handovers.push({ from: nodeKey.processor(id, e.pipeline.id), to: key, pipeline: e.pipeline.id, signal: from });
        }
        for (const pt of pts) {
          if (pt.side === 'receivers') (headsFed.get(pt.pipeline.id) ?? headsFed.set(pt.pipeline.id, []).get(pt.pipeline.id)!).push(key);
          else handovers.push({ from: key, to: nodeKey.processor(id, pt.pipeline.id), pipeline: pt.pipeline.id, signal: to });
        }
      }
  }

  const plans: PipelinePlan[] = pipelines.map((p) => {
    const processors = p.processors.map((id) => {
      const c = components.processor.get(id)!;
      const point = c.factory.emits?.includes(p.signal) ? { point: true as const } : {};
      const to = [...(emitTo.get(id + '\u0000' + p.id) ?? [])].sort();
      const emits = to.length > 0 ? { emitTo: to } : {};
      return add({ key: nodeKey.processor(id, p.id), kind: 'processor', c, pipeline: p.id, signals: [p.signal], ...point, ...emits }, [point, to]).key;
    });
    const sources = [
      ...p.receivers.flatMap((r) => (components.receiver.has(r) ? [nodeKey.receiver(r)] : (pairsOut.get(`${r}\u0000${p.signal}`) ?? []).map((n) => n.key))),
      ...(headsFed.get(p.id) ?? []),
    ];
    const sinks = p.exporters.flatMap((e) => (components.exporter.has(e) ? [nodeKey.exporter(e)] : (pairsIn.get(`${e}\u0000${p.signal}`) ?? []).map((n) => n.key)));
    return { id: p.id, signal: p.signal, sources, processors, sinks };
  });

  return { nodes, pipelines: plans, handovers, extensions: service.extensions.map(nodeKey.extension), levels: levelsOf(nodes, plans, handovers) };
}

/** Edges from→to of every pipeline (node keys). */
export function edgesOf(plans: readonly PipelinePlan[]): { from: string; to: string; pipeline: PipelinePlan }[] {
  const out: { from: string; to: string; pipeline: PipelinePlan }[] = [];
  for (const p of plans) {
    const chain = [p.sources, ...p.processors.map((k) => [k]), p.sinks];
    for (let i = 0; i + 1 < chain.length; i++) for (const from of chain[i]!) for (const to of chain[i + 1]!) out.push({ from, to, pipeline: p });
  }
  return out;
}

function levelsOf(nodes: Map<string, NodeSpec>, plans: PipelinePlan[], handovers: Plan['handovers']): string[][] {
  const ins = new Map<string, Set<string>>();
  const outs = new Map<string, Set<string>>();
  for (const [k, n] of nodes) {
    if (n.kind === 'extension') continue;
    ins.set(k, new Set());
    outs.set(k, new Set());
  }
  for (const e of [...edgesOf(plans), ...handovers]) {
    outs.get(e.from)!.add(e.to);
    ins.get(e.to)!.add(e.from);
  }
  // Longest path from a source (the config is validated acyclic).
  const level = new Map<string, number>();
  const pending = new Map([...ins].map(([k, s]) => [k, s.size]));
  let frontier = [...pending].filter(([, n]) => n === 0).map(([k]) => k);
  for (const k of frontier) level.set(k, 0);
  while (frontier.length > 0) {
    const next: string[] = [];
    for (const k of frontier)
      for (const d of outs.get(k)!) {
        level.set(d, Math.max(level.get(d) ?? 0, level.get(k)! + 1));
        const left = pending.get(d)! - 1;
        pending.set(d, left);
        if (left === 0) next.push(d);
      }
    frontier = next;
  }
  const levels: string[][] = [];
  for (const [k, l] of level) (levels[l] ??= []).push(k);
  return levels.map((l) => l ?? []);
}

/**
 * The resolved config of a node plus its position, as text. Files named by `*_file` keys (TLS
 * certificates, token and password files) are stamped with their mtime and size, so a reload
 * after replacing a certificate rebuilds what reads it.
 */
export function fingerprint(config: unknown, position: unknown): string {
  return JSON.stringify([canonical(config), canonical(position)]);
}

function canonical(v: unknown, key = ''): unknown {
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'string' && /_files?$/.test(key)) return `${v}@${stamp(v)}`;
  if (Array.isArray(v)) return v.map((x) => canonical(x, key));
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return Object.fromEntries(Object.keys(o).sort().map((k) => [k, canonical(o[k], k)]));
  }
  return v;
}

function stamp(path: string): string {
  try {
    const st = statSync(path);
    return `${st.mtimeMs}:${st.size}:${st.ino}`;
  } catch {
    return 'absent';
  }
}
