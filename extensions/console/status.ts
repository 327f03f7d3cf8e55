// /api/v1/status/components and /pipelines: the running graph with each component's counters
// from the self-metric registry, and items/s on every edge computed from those counters.
import type { JsonRoute } from '../../src/console/api.js';
import type { ComponentInfo, GraphEdge, MetricsView, ServiceView } from '../../src/component/service-view.js';

type Family = ReturnType<MetricsView['families']>[number];

export interface ComponentCounters {
  /** `telemd_receiver_accepted_items_total{signal="metrics"}` → 12 (the component's labels removed). */
  [series: string]: number;
}

/** Counter deltas between calls, so rates cost nothing when nobody asks. */
export class RateTracker {
  private prev = new Map<string, { t: number; v: number }>();
  private last = new Map<string, { t: number; v: number }>();

  constructor(private readonly minWindowMs = 500) {}

  /** Items/s of a counter since the previous sample at least minWindowMs old; undefined before. */
  rate(key: string, value: number, now: number): number | undefined {
    const l = this.last.get(key);
    if (!l) {
      this.last.set(key, { t: now, v: value });
      return undefined;
    }
    if (now - l.t >= this.minWindowMs) {
      this.prev.set(key, l);
      this.last.set(key, { t: now, v: value });
    }
    const p = this.prev.get(key);
    if (!p || now === p.t) return undefined;
    const d = value - p.v;
    return d < 0 ? undefined : (d * 1000) / (now - p.t);
  }
}

const KIND_LABEL: Record<string, string> = { receiver: 'receiver', processor: 'processor', exporter: 'exporter', extension: 'extension', connector: 'connector' };

function seriesName(name: string, labels: Record<string, string>, drop: readonly string[]): string {
  const rest = Object.entries(labels).filter(([k]) => !drop.includes(k));
  return rest.length ? `${name}{${rest.map(([k, v]) => `${k}="${v}"`).join(',')}}` : name;
}

/** Series of the registry that belong to one node (its kind label = its id, and its pipeline). */
export function countersOf(node: ComponentInfo, families: readonly Family[]): ComponentCounters {
  const label = KIND_LABEL[node.kind]!;
  const out: ComponentCounters = {};
  for (const f of families) {
    for (const s of f.series) {
      if (s.labels[label] !== node.id) continue;
      if (node.pipeline !== undefined && s.labels.pipeline !== node.pipeline) continue;
      out[seriesName(f.name, s.labels, node.pipeline !== undefined ? [label, 'pipeline'] : [label])] = s.value;
    }
  }
  return out;
}

const sumOf = (c: ComponentCounters, prefix: string, where?: (k: string) => boolean): number => {
  let n = 0;
  for (const [k, v] of Object.entries(c)) if ((k === prefix || k.startsWith(`${prefix}{`)) && (!where || where(k))) n += v;
  return n;
};

/** The per-component figures `telemd top` shows, from its counters. */
export function summary(node: ComponentInfo, c: ComponentCounters): { in: number; out: number; refused: number; failed: number; dropped: number; queue?: { size: number; capacity: number } } {
  let inItems = 0;
  let outItems = 0;
  switch (node.kind) {
    case 'receiver':
      outItems = sumOf(c, 'telemd_receiver_accepted_items_total');
      inItems = outItems + sumOf(c, 'telemd_receiver_refused_items_total');
      break;
    case 'processor':
      inItems = sumOf(c, 'telemd_processor_incoming_items_total');
      outItems = sumOf(c, 'telemd_processor_outgoing_items_total');
      break;
    case 'exporter':
    case 'connector':
      // Done with: delivered, or discarded on purpose (nop); in = everything it settled.
      outItems = sumOf(c, 'telemd_exporter_sent_items_total') + sumOf(c, 'telemd_exporter_discarded_items_total');
      inItems = outItems + sumOf(c, 'telemd_exporter_send_failed_items_total') + sumOf(c, 'telemd_exporter_dropped_items_total') + sumOf(c, 'telemd_exporter_handed_back_items_total');
      break;
    default:
      break;
  }
  const refused = sumOf(c, 'telemd_receiver_refused_items_total') + sumOf(c, 'telemd_processor_refused_items_total');
  const failed = sumOf(c, 'telemd_exporter_send_failed_items_total');
  const dropped = sumOf(c, 'telemd_exporter_dropped_items_total') + sumOf(c, 'telemd_processor_dropped_items_total');
  const cap = sumOf(c, 'telemd_exporter_queue_capacity');
  const queue = cap > 0 ? { size: sumOf(c, 'telemd_exporter_queue_size'), capacity: cap } : undefined;
  return { in: inItems, out: outItems, refused, failed, dropped, ...(queue ? { queue } : {}) };
}

/** Items per second along an edge: what the processor at either end counted, else the receiver. */
function edgeItems(e: GraphEdge, nodes: Map<string, ComponentInfo>, counters: Map<string, ComponentCounters>): number | undefined {
  const from = nodes.get(e.from);
  const to = nodes.get(e.to);
  const sig = (k: string) => k.includes(`signal="${e.signal}"`) || !k.includes('signal=');
  if (from?.kind === 'processor') return sumOf(counters.get(e.from) ?? {}, 'telemd_processor_outgoing_items_total', sig);
  if (to?.kind === 'processor') return sumOf(counters.get(e.to) ?? {}, 'telemd_processor_incoming_items_total', sig);
  if (from?.kind === 'receiver') return sumOf(counters.get(e.from) ?? {}, 'telemd_receiver_accepted_items_total', sig);
  if (from?.kind === 'connector') return sumOf(counters.get(e.from) ?? {}, 'telemd_receiver_accepted_items_total', sig);
  return undefined;
}

export function statusRoutes(service: ServiceView): JsonRoute[] {
  const rates = new RateTracker();
  const snapshot = () => {
    const families = service.metrics.families();
    const g = service.graph();
    const counters = new Map(g.nodes.map((n) => [n.key, countersOf(n, families)] as const));
    return { g, counters, families };
  };
  const processFigures = (families: readonly Family[], now: number) => {
    const v = (name: string) => families.find((f) => f.name === name)?.series[0]?.value;
    const cpu = v('telemd_process_cpu_seconds_total');
    const cpuRate = cpu === undefined ? undefined : rates.rate('process:cpu', cpu, now);
    return {
      cpu_seconds_total: cpu,
      cpu_utilization: cpuRate,
      resident_memory_bytes: v('telemd_process_resident_memory_bytes'),
      heap_used_bytes: v('telemd_process_heap_used_bytes'),
      uptime_seconds: v('telemd_process_uptime_seconds'),
    };
  };
  return [
    {
      method: 'GET',
      path: '/api/v1/status/components',
      access: 'read',
      description: 'every component with kind, type, signals, state, counters and items/s',
      handle: () => {
        const now = Date.now();
        const { g, counters, families } = snapshot();
        const components = g.nodes.map((n) => {
          const c = counters.get(n.key)!;
          const sm = summary(n, c);
          const inRate = rates.rate(`${n.key}:in`, sm.in, now);
          const outRate = rates.rate(`${n.key}:out`, sm.out, now);
          return {
            key: n.key,
            kind: n.kind,
            id: n.id,
            type: n.type,
            ...(n.pipeline !== undefined ? { pipeline: n.pipeline } : {}),
            signals: n.signals,
            state: n.state,
            ...(n.error ? { error: n.error } : {}),
            items: { ...sm, in_per_second: inRate ?? null, out_per_second: outRate ?? null },
            counters: c,
          };
        });
        return { data: { health: service.health(), process: processFigures(families, now), components } };
      },
    },
    {
      method: 'GET',
      path: '/api/v1/status/pipelines',
      access: 'read',
      description: 'the pipeline graph: nodes, and edges with items/s',
      handle: () => {
        const now = Date.now();
        const { g, counters } = snapshot();
        const nodes = new Map(g.nodes.map((n) => [n.key, n] as const));
        const edges = g.edges.map((e) => {
          const total = edgeItems(e, nodes, counters);
          const rate = total === undefined ? undefined : rates.rate(`edge:${e.pipeline}:${e.from}>${e.to}`, total, now);
          return { ...e, items_total: total ?? null, items_per_second: rate ?? null };
        });
        return {
          data: {
            pipelines: service.pipelines(),
            nodes: g.nodes.map((n) => ({ key: n.key, kind: n.kind, id: n.id, type: n.type, ...(n.pipeline !== undefined ? { pipeline: n.pipeline } : {}), signals: n.signals, state: n.state })),
            edges,
          },
        };
      },
    },
    {
      method: 'GET',
      path: '/api/v1/status/effective_config',
      access: 'read',
      description: 'the effective config, secrets redacted (as print-config shows it)',
      handle: () => ({ data: service.config() }),
    },
  ];
}
