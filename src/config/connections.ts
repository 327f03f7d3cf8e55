// The Collector's rules for connectors, with positions: a connector is used on both sides, only
// between signals it connects, the pipelines it joins form no cycle, and its own checks against
// the pipelines it feeds (routing tables) pass.
import { connectorCreate, connectorPairs } from '../component/component.js';
import type { Signal } from '../pdata/types.js';
import type { Components, PipelineConfig } from './resolve.js';
import type { ConfigSources } from './sources.js';

interface Use {
  pipeline: PipelineConfig;
  index: number;
}

/** Where each connector id appears, as an exporter (its input) and as a receiver (its output). */
export interface ConnectorUses {
  asExporter: Use[];
  asReceiver: Use[];
}

export function connectorUses(components: Components, pipelines: readonly PipelineConfig[]): Map<string, ConnectorUses> {
  const uses = new Map<string, ConnectorUses>();
  for (const id of components.connector.keys()) uses.set(id, { asExporter: [], asReceiver: [] });
  for (const p of pipelines) {
    p.exporters.forEach((ref, index) => uses.get(ref)?.asExporter.push({ pipeline: p, index }));
    p.receivers.forEach((ref, index) => uses.get(ref)?.asReceiver.push({ pipeline: p, index }));
  }
  return uses;
}

const where = (u: Use, side: 'receivers' | 'processors' | 'exporters') => ['service', 'pipelines', u.pipeline.id, side, u.index];

function pairsText(pairs: readonly (readonly [Signal, Signal])[]): string {
  return pairs.map(([f, t]) => `${f} → ${t}`).join(', ');
}

export function validateConnections(src: ConfigSources, components: Components, pipelines: readonly PipelineConfig[]): void {
  const uses = connectorUses(components, pipelines);
  for (const [id, u] of uses) {
    const c = components.connector.get(id)!;
    const pairs = connectorPairs(c.factory);
    if (u.asExporter.length === 0 && u.asReceiver.length === 0) {
      src.warn(['connectors', id], `connector "${id}" is defined but no pipeline uses it`);
      continue;
    }
    for (const e of u.asExporter) {
      const from = e.pipeline.signal;
      if (!pairs.some(([f]) => f === from)) {
        src.error(where(e, 'exporters'), `connector "${id}" does not take ${from} (it connects ${pairsText(pairs)})`);
      } else if (u.asReceiver.length === 0) {
        src.error(
          where(e, 'exporters'),
          `connector "${id}" is used as an exporter in pipeline "${e.pipeline.id}" but as a receiver in no pipeline (a connector joins the end of one pipeline to the start of another)`,
        );
      } else if (!u.asReceiver.some((r) => connectorCreate(c.factory, from, r.pipeline.signal))) {
        src.error(
          where(e, 'exporters'),
          `connector "${id}" is used as an exporter in ${from} pipeline "${e.pipeline.id}" but not as a receiver in any pipeline it can feed from ${from} (it connects ${pairsText(pairs)})`,
        );
      }
    }
    for (const r of u.asReceiver) {
      const to = r.pipeline.signal;
      if (!pairs.some(([, t]) => t === to)) {
        src.error(where(r, 'receivers'), `connector "${id}" does not produce ${to} (it connects ${pairsText(pairs)})`);
      } else if (u.asExporter.length === 0) {
        src.error(
          where(r, 'receivers'),
          `connector "${id}" is used as a receiver in pipeline "${r.pipeline.id}" but as an exporter in no pipeline (a connector joins the end of one pipeline to the start of another)`,
        );
      } else if (!u.asExporter.some((e) => connectorCreate(c.factory, e.pipeline.signal, to))) {
        src.error(
          where(r, 'receivers'),
          `connector "${id}" is used as a receiver in ${to} pipeline "${r.pipeline.id}" but not as an exporter in any pipeline it can take ${to} from (it connects ${pairsText(pairs)})`,
        );
      }
    }
    if (c.factory.validateConnections) {
      const feeds = [...new Set(u.asReceiver.map((r) => r.pipeline.id))];
      for (const issue of c.factory.validateConnections(c.config, feeds)) {
        const field = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
        src.error(['connectors', id, ...issue.path], `connector "${id}": ${field}${issue.message}`);
      }
    }
  }
  validateHandovers(src, components, pipelines);
  reportCycles(src, components, pipelines, uses);
}

/** Where a processor that hands records to other pipelines is used: its own pipelines and its receiving ends. */
export interface HandoverUses {
  /** Pipelines of its own signals that contain it. */
  emitters: Use[];
  /** Pipelines of a signal it emits: listing it among processors (records enter there) or receivers (at the head). */
  points: (Use & { side: 'processors' | 'receivers' })[];
}

export function handoverUses(components: Components, pipelines: readonly PipelineConfig[]): Map<string, HandoverUses> {
  const out = new Map<string, HandoverUses>();
  for (const [id, c] of components.processor) {
    const emits = c.factory.emits;
    if (!emits || emits.length === 0) continue;
    const u: HandoverUses = { emitters: [], points: [] };
    for (const p of pipelines) {
      p.processors.forEach((ref, index) => {
        if (ref !== id) return;
        if (emits.includes(p.signal)) u.points.push({ pipeline: p, index, side: 'processors' });
        else u.emitters.push({ pipeline: p, index });
      });
      p.receivers.forEach((ref, index) => {
        if (ref === id && !components.receiver.has(ref) && !components.connector.has(ref)) u.points.push({ pipeline: p, index, side: 'receivers' });
      });
    }
    out.set(id, u);
  }
  return out;
}

function validateHandovers(src: ConfigSources, components: Components, pipelines: readonly PipelineConfig[]): void {
  for (const [id, u] of handoverUses(components, pipelines)) {
    if (u.emitters.length > 0) continue;
    for (const pt of u.points) {
      const own = components.processor.get(id)!.factory.signals.filter((sg) => !components.processor.get(id)!.factory.emits!.includes(sg));
      const text = `processor "${id}" in ${pt.pipeline.signal} pipeline "${pt.pipeline.id}" only passes on what the same processor hands over from a ${own.join(' or ')} pipeline, and no ${own.join(' or ')} pipeline contains it`;
      if (pt.side === 'receivers') src.error(where(pt, 'receivers'), text);
      else src.warn(where(pt, 'processors'), text, false);
    }
  }
}

interface Hop {
  to: { pipeline: PipelineConfig; start: number };
  label: string;
  at: (string | number)[];
}

/**
 * Data must not go round: through connectors (end of one pipeline → start of another) and
 * hand-overs (a processor → the place of its twin in another pipeline), followed item by item.
 */
function reportCycles(src: ConfigSources, components: Components, pipelines: readonly PipelineConfig[], uses: Map<string, ConnectorUses>): void {
  const handovers = handoverUses(components, pipelines);
  const hops = (p: PipelineConfig, start: number): Hop[] => {
    const out: Hop[] = [];
    p.processors.forEach((ref, k) => {
      if (k < start) return;
      const h = handovers.get(ref);
      if (!h || !h.emitters.some((e) => e.pipeline === p && e.index === k)) return;
      for (const pt of h.points)
        out.push({ to: { pipeline: pt.pipeline, start: pt.side === 'receivers' ? 0 : pt.index + 1 }, label: ref, at: where({ pipeline: p, index: k }, 'processors') });
    });
    p.exporters.forEach((ref, index) => {
      const u = uses.get(ref);
      if (!u) return;
      const f = components.connector.get(ref)!.factory;
      for (const r of u.asReceiver)
        if (connectorCreate(f, p.signal, r.pipeline.signal)) out.push({ to: { pipeline: r.pipeline, start: 0 }, label: ref, at: where({ pipeline: p, index }, 'exporters') });
    });
    return out;
  };
  const key = (p: PipelineConfig, start: number) => `${p.id}\u0000${start}`;
  const state = new Map<string, 'open' | 'done'>();
  const stack: { pipeline: PipelineConfig; start: number; hop?: Hop }[] = [];
  const reported = new Set<string>();
  const visit = (p: PipelineConfig, start: number): void => {
    state.set(key(p, start), 'open');
    for (const h of hops(p, start)) {
      const k = key(h.to.pipeline, h.to.start);
      const st = state.get(k);
      if (st === 'open') {
        const from = stack.findIndex((x) => key(x.pipeline, x.start) === k);
        const loop = [...stack.slice(from + 1).map((x) => x.hop!), h];
        const id = loop.map((x) => x.at.join('.')).sort().join('|');
        if (reported.has(id)) continue;
        reported.add(id);
        const path = [h.to.pipeline.id, ...loop.flatMap((x) => [x.label, x.to.pipeline.id])].join(' → ');
        src.error(h.at, `pipelines form a cycle through connectors: ${path} (data would go round forever)`);
      } else if (st === undefined) {
        stack.push({ pipeline: h.to.pipeline, start: h.to.start, hop: h });
        visit(h.to.pipeline, h.to.start);
        stack.pop();
      }
    }
    state.set(key(p, start), 'done');
  };
  for (const p of pipelines) {
    if (state.has(key(p, 0))) continue;
    stack.push({ pipeline: p, start: 0 });
    visit(p, 0);
    stack.pop();
  }
}
