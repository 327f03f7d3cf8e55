// Splits a batch into one batch per backend by the routing key, keeping the resource and scope
// structure (each part carries the resource and scope of what it holds). Keys as in the
// Collector: traceID (spans and log records by trace id), service (service.name of the
// resource), resource (all resource attributes), metric (metric name), streamID (resource,
// scope, metric name and point attributes: one stream always goes to one backend).
import { attrsKey } from '../../src/pdata/identity.js';
import type { Attributes, LogsData, Metric, MetricsData, Resource, Signal, SignalData, TracesData } from '../../src/pdata/types.js';
import type { RoutingKey } from './config.js';

export const SUPPORTED: Record<Signal, readonly RoutingKey[]> = {
  traces: ['traceID', 'service', 'resource'],
  logs: ['traceID', 'service', 'resource'],
  metrics: ['service', 'resource', 'metric', 'streamID'],
};
export const DEFAULT_KEY: Record<Signal, RoutingKey> = { traces: 'traceID', logs: 'traceID', metrics: 'service' };

export type OwnerOf = (key: string) => string | undefined;

const hex = (b: Uint8Array | undefined) => (b && b.length ? Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex') : '');
const serviceOf = (r: Resource) => String(r.attributes['service.name'] ?? '');
const resourceKey = (r: Resource) => attrsKey(r.attributes);

/** Lazily built per-backend copies of a resource/scope tree. */
class Parts<R, S, I> {
  readonly out = new Map<string, R[]>();
  private res = new Map<string, R>();
  private scope = new Map<string, S>();
  constructor(
    private readonly newResource: (owner: string) => R,
    private readonly newScope: (r: R) => S,
    private readonly push: (s: S, item: I) => void,
  ) {}
  /** Start a new resource (and scope below it): previous copies are done. */
  nextResource(): void {
    this.res.clear();
    this.scope.clear();
  }
  nextScope(): void {
    this.scope.clear();
  }
  add(owner: string, item: I): void {
    let r = this.res.get(owner);
    if (!r) {
      r = this.newResource(owner);
      this.res.set(owner, r);
      let list = this.out.get(owner);
      if (!list) this.out.set(owner, (list = []));
      list.push(r);
    }
    let s = this.scope.get(owner);
    if (!s) this.scope.set(owner, (s = this.newScope(r)));
    this.push(s, item);
  }
}

export class NoBackend extends Error {}

function ownerOrThrow(ownerOf: OwnerOf, key: string): string {
  const o = ownerOf(key);
  if (o === undefined) throw new NoBackend('no backend is resolved yet');
  return o;
}

function routeTraces(d: TracesData, key: RoutingKey, ownerOf: OwnerOf): Map<string, TracesData> {
  type RS = TracesData['resourceSpans'][number];
  type SS = RS['scopeSpans'][number];
  let cur: RS;
  let curScope: SS;
  const parts = new Parts<RS, SS, SS['spans'][number]>(
    () => ({ ...cur, scopeSpans: [] }),
    (r) => {
      const s = { ...curScope, spans: [] };
      r.scopeSpans.push(s);
      return s;
    },
    (s, span) => s.spans.push(span),
  );
  for (const rs of d.resourceSpans) {
    cur = rs;
    parts.nextResource();
    const whole = key === 'service' ? ownerOrThrow(ownerOf, serviceOf(rs.resource)) : key === 'resource' ? ownerOrThrow(ownerOf, resourceKey(rs.resource)) : undefined;
    for (const ss of rs.scopeSpans) {
      curScope = ss;
      parts.nextScope();
      for (const span of ss.spans) parts.add(whole ?? ownerOrThrow(ownerOf, hex(span.traceId)), span);
    }
  }
  return new Map([...parts.out].map(([o, rs]) => [o, { resourceSpans: rs }]));
}

function routeLogs(d: LogsData, key: RoutingKey, ownerOf: OwnerOf): Map<string, LogsData> {
  type RL = LogsData['resourceLogs'][number];
  type SL = RL['scopeLogs'][number];
  let cur: RL;
  let curScope: SL;
  const parts = new Parts<RL, SL, SL['logRecords'][number]>(
    () => ({ ...cur, scopeLogs: [] }),
    (r) => {
      const s = { ...curScope, logRecords: [] };
      r.scopeLogs.push(s);
      return s;
    },
    (s, rec) => s.logRecords.push(rec),
  );
  for (const rl of d.resourceLogs) {
    cur = rl;
    parts.nextResource();
    const rkey = resourceKey(rl.resource);
    const whole = key === 'service' ? ownerOrThrow(ownerOf, serviceOf(rl.resource)) : key === 'resource' ? ownerOrThrow(ownerOf, rkey) : undefined;
    for (const sl of rl.scopeLogs) {
      curScope = sl;
      parts.nextScope();
      // A record without a trace id goes with its resource (one stream of untraced logs per source).
      for (const rec of sl.logRecords) parts.add(whole ?? ownerOrThrow(ownerOf, hex(rec.traceId) || rkey), rec);
    }
  }
  return new Map([...parts.out].map(([o, rl]) => [o, { resourceLogs: rl }]));
}

function pointsOf(m: Metric): { attributes: Attributes }[] {
  return m.type === 'empty' ? [] : (m.dataPoints as { attributes: Attributes }[]);
}

function routeMetrics(d: MetricsData, key: RoutingKey, ownerOf: OwnerOf): Map<string, MetricsData> {
  type RM = MetricsData['resourceMetrics'][number];
  type SM = RM['scopeMetrics'][number];
  let cur: RM;
  let curScope: SM;
  const parts = new Parts<RM, SM, Metric>(
    () => ({ ...cur, scopeMetrics: [] }),
    (r) => {
      const s = { ...curScope, metrics: [] };
      r.scopeMetrics.push(s);
      return s;
    },
    (s, m) => s.metrics.push(m),
  );
  for (const rm of d.resourceMetrics) {
    cur = rm;
    parts.nextResource();
    const rkey = resourceKey(rm.resource);
    const whole = key === 'service' ? ownerOrThrow(ownerOf, serviceOf(rm.resource)) : key === 'resource' ? ownerOrThrow(ownerOf, rkey) : undefined;
    for (const sm of rm.scopeMetrics) {
      curScope = sm;
      parts.nextScope();
      const skey = `${rkey}\u0002${sm.scope.name}\u0002${sm.scope.version ?? ''}`;
      for (const m of sm.metrics) {
        if (whole !== undefined || key === 'metric') {
          parts.add(whole ?? ownerOrThrow(ownerOf, m.name), m);
          continue;
        }
        // streamID: each point by its stream; a metric split across backends is copied per part.
        const byOwner = new Map<string, unknown[]>();
        for (const p of pointsOf(m)) {
          const o = ownerOrThrow(ownerOf, `${skey}\u0002${m.name}\u0002${attrsKey(p.attributes)}`);
          let l = byOwner.get(o);
          if (!l) byOwner.set(o, (l = []));
          l.push(p);
        }
        if (byOwner.size === 1) parts.add([...byOwner.keys()][0]!, m);
        else for (const [o, pts] of byOwner) parts.add(o, { ...m, dataPoints: pts } as Metric);
      }
    }
  }
  return new Map([...parts.out].map(([o, rm]) => [o, { resourceMetrics: rm }]));
}

/** One part per backend that gets anything; throws NoBackend when the ring is empty. */
export function route<S extends Signal>(signal: S, data: SignalData[S], key: RoutingKey, ownerOf: OwnerOf): Map<string, SignalData[S]> {
  switch (signal) {
    case 'traces':
      return routeTraces(data as TracesData, key, ownerOf) as Map<string, SignalData[S]>;
    case 'logs':
      return routeLogs(data as LogsData, key, ownerOf) as Map<string, SignalData[S]>;
    default:
      return routeMetrics(data as MetricsData, key, ownerOf) as Map<string, SignalData[S]>;
  }
}
