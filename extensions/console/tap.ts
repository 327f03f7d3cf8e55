// GET /api/v1/tap: sampled batches passing a component, as NDJSON lines of OTLP JSON. The tap
// itself (a bounded buffer per reader, dropping the newest when full, a copy rate limit) is
// the service's TapView; this route only resolves the component, streams and closes it.
import type { ServerResponse } from 'node:http';
import { ApiError, type ApiRequest, type RawRoute } from '../../src/console/api.js';
import type { ComponentInfo, Tap, TapDirection, TapTarget, TapView, ServiceView } from '../../src/component/service-view.js';
import { encodeJson } from '../../src/otlp/index.js';
import type { Signal } from '../../src/pdata/types.js';
import type { Counter, SelfTelemetry } from '../../src/telemetry/self.js';
import type { Config } from './config.js';

const SIGNALS: readonly Signal[] = ['metrics', 'logs', 'traces'];
const HEARTBEAT_MS = 5000;

/** The node a `component=` value names: a key (`receiver:otlp`, `processor:batch@metrics`) or an id. */
export function resolveComponent(nodes: readonly ComponentInfo[], name: string, direction?: TapDirection): ComponentInfo[] {
  const byKey = nodes.filter((n) => n.key === name);
  if (byKey.length) return byKey;
  let hits = nodes.filter((n) => n.id === name && n.kind !== 'extension');
  // `otlp` naming both the receiver and the exporter: the direction decides (receivers only have out).
  if (hits.length > 1 && direction) {
    const kinds = hits.filter((n) => (direction === 'out' ? n.kind !== 'exporter' : n.kind !== 'receiver'));
    if (new Set(kinds.map((n) => n.kind)).size === 1) hits = kinds;
  }
  return hits;
}

/** A tap opened for one reader: its first line, the pump that streams it, and the batches it saw. */
export interface TapStream {
  /** The first line: `{"tap":{component,id,kind,direction,signals,limit}}`. */
  readonly head: string;
  /**
   * Streams batch lines through `write` until the limit, the component stopping or `stop`;
   * returns the last line (`{"end":…}`). A `write` that returns a promise is awaited (a slow
   * reader): meanwhile the tap's own bounded buffer fills and drops, the pipeline never waits.
   */
  pump(write: (line: string) => Promise<void> | undefined, stop: AbortSignal): Promise<string>;
  /** Detaches (idempotent; pump() does it when it returns). */
  close(): void;
}

export interface TapRoute extends RawRoute {
  /** Validates the parameters and attaches the tap (throws ApiError): the WebSocket path uses it before upgrading. */
  open(form: URLSearchParams): TapStream;
}

export function tapRoute(cfg: Config, service: ServiceView, taps: () => TapView | undefined, tel: SelfTelemetry, open: Set<Tap>): TapRoute {
  const counters = new Map<string, Counter>();
  const count = (what: 'batches' | 'dropped' | 'skipped', n: number) => {
    if (n <= 0) return;
    let c = counters.get(what);
    if (!c) {
      c = tel.counter(`telemd_console_tap_${what}_total`, `Tap batches ${what === 'batches' ? 'streamed to readers' : what === 'dropped' ? 'dropped because a reader was slow (its buffer full)' : 'not copied because of the per-tap rate limit'}`);
      counters.set(what, c);
    }
    c.add(n);
  };
  // The taps readers hold open (a closed page or a paused tap holds none: the pipeline copies nothing).
  tel.observe('telemd_console_taps_open', {}, () => open.size);

  const openTap = (form: URLSearchParams): TapStream => {
    const view = taps();
    if (!view) throw new ApiError('unavailable', 'this agent has no tap support in its service (core tap registry missing)');
    const name = form.get('component') ?? '';
    if (name === '') throw new ApiError('bad_data', 'component= is required (a component id such as hostmetrics, or a key such as processor:batch@metrics)');
    const dirRaw = form.get('direction') ?? '';
    if (dirRaw !== '' && dirRaw !== 'in' && dirRaw !== 'out') throw new ApiError('bad_data', `direction must be in or out, got ${JSON.stringify(dirRaw)}`);
    const limitRaw = form.get('limit') ?? '';
    const limit = limitRaw === '' ? 0 : Number(limitRaw);
    if (!Number.isInteger(limit) || limit < 0) throw new ApiError('bad_data', `limit must be a whole number >= 0, got ${JSON.stringify(limitRaw)}`);
    const typesRaw = form.get('types') ?? '';
    const types = typesRaw === '' ? [...SIGNALS] : typesRaw.split(',').map((t) => t.trim());
    for (const t of types) if (!SIGNALS.includes(t as Signal)) throw new ApiError('bad_data', `types: unknown signal ${JSON.stringify(t)} (metrics, logs, traces)`);

    const nodes = service.graph().nodes;
    const hits = resolveComponent(nodes, name, dirRaw === '' ? undefined : dirRaw);
    if (hits.length === 0) {
      const ids = [...new Set(nodes.filter((n) => n.kind !== 'extension').map((n) => n.id))].sort();
      throw new ApiError('not_found', `no running component ${JSON.stringify(name)}; running: ${ids.join(', ')}`);
    }
    const kinds = new Set(hits.map((n) => n.kind));
    if (kinds.size > 1) throw new ApiError('bad_data', `${JSON.stringify(name)} names several components (${hits.map((n) => n.key).join(', ')}): give the key`);
    const node = hits[0]!;
    const direction: TapDirection = dirRaw !== '' ? dirRaw : node.kind === 'exporter' || node.kind === 'connector' ? 'in' : 'out';
    if (open.size >= cfg.tap.max_taps) throw new ApiError('unavailable', `${open.size} taps are open (tap.max_taps); close one first`);

    const signals = types.filter((t) => node.signals.includes(t as Signal)) as Signal[];
    if (signals.length === 0) throw new ApiError('bad_data', `${node.key} handles ${node.signals.join(', ')}, not ${types.join(', ')}`);
    const attached: Tap[] = [];
    try {
      for (const signal of signals) {
        const target: TapTarget = { kind: node.kind, id: node.id, direction, signal, ...(node.pipeline !== undefined && hits.length === 1 && name === node.key ? { pipeline: node.pipeline } : {}) };
        attached.push(view.attach(target, { capacity: cfg.tap.buffer, maxBatchesPerSecond: cfg.tap.max_batches_per_second }));
      }
    } catch (err) {
      for (const t of attached) t.close();
      throw new ApiError('bad_data', (err as Error).message);
    }
    for (const t of attached) open.add(t);
    const close = () => {
      for (const t of attached) {
        t.close();
        open.delete(t);
      }
    };

    const pump = async (write: (line: string) => Promise<void> | undefined, stop: AbortSignal): Promise<string> => {
      let sent = 0;
      let reason = 'closed';
      const stats = () => ({ dropped: attached.reduce((n, t) => n + t.dropped, 0), skipped: attached.reduce((n, t) => n + t.skipped, 0) });
      let reported = { dropped: 0, skipped: 0 };
      const account = () => {
        const s = stats();
        count('dropped', s.dropped - reported.dropped);
        count('skipped', s.skipped - reported.skipped);
        reported = s;
        return s;
      };
      try {
        while (!stop.aborted) {
          let wrote = false;
          for (const t of attached) {
            for (const ev of t.take(limit ? limit - sent : undefined)) {
              const s = account();
              // The tapped component and direction (an exporter's input is read where its pipelines end).
              const head = JSON.stringify({ time: new Date(ev.time).toISOString(), component: node.key, kind: node.kind, id: node.id, ...(ev.pipeline !== undefined ? { pipeline: ev.pipeline } : {}), direction, signal: ev.signal, items: ev.items, dropped: s.dropped, skipped: s.skipped });
              const slow = write(`${head.slice(0, -1)},"data":${encodeJson(ev.signal, ev.data as never)}}`);
              sent++;
              count('batches', 1);
              wrote = true;
              // A slow reader: wait for the socket rather than buffer in memory (the tap's own
              // bounded buffer then fills and drops, the pipeline never waits).
              if (slow) await slow;
              if (limit && sent >= limit) break;
            }
            if (limit && sent >= limit) break;
          }
          if (limit && sent >= limit) {
            reason = 'limit';
            break;
          }
          if (attached.every((t) => t.closed)) {
            reason = 'component stopped';
            break;
          }
          if (!wrote) {
            const hb = new AbortController();
            let idle = false;
            const timer = setTimeout(() => {
              idle = true;
              hb.abort();
            }, HEARTBEAT_MS);
            const onStop = () => hb.abort();
            stop.addEventListener('abort', onStop, { once: true });
            await Promise.race(attached.map((t) => t.wait(hb.signal)));
            clearTimeout(timer);
            hb.abort();
            stop.removeEventListener('abort', onStop);
            // Idle streams say they are alive (and what was dropped), so readers and proxies keep them.
            if (idle && !stop.aborted) {
              const slow = write(JSON.stringify({ heartbeat: new Date().toISOString(), ...account() }));
              if (slow) await slow;
            }
          }
        }
        return JSON.stringify({ end: reason, sent, ...account() });
      } finally {
        close();
      }
    };
    return { head: JSON.stringify({ tap: { component: node.key, id: node.id, kind: node.kind, direction, signals, limit: limit || null } }), pump, close };
  };

  return {
    method: 'GET',
    path: '/api/v1/tap',
    access: 'read',
    raw: true,
    description: 'live sampled records passing a component, NDJSON of OTLP JSON, or the same lines as WebSocket text messages (component=, direction=in|out, limit=, types=)',
    open: openTap,
    async handle(req: ApiRequest, res: ServerResponse) {
      const tap = openTap(req.form);
      res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'x-accel-buffering': 'no' });
      res.write(`${tap.head}\n`);
      const stop = new AbortController();
      const end = () => stop.abort();
      req.signal.addEventListener('abort', end);
      res.on('close', end);
      try {
        const write = (line: string): Promise<void> | undefined =>
          res.write(`${line}\n`)
            ? undefined
            : new Promise<void>((r) => {
                res.once('drain', r);
                stop.signal.addEventListener('abort', () => r(), { once: true });
              });
        const last = await tap.pump(write, stop.signal);
        if (!res.destroyed) res.end(`${last}\n`);
      } finally {
        tap.close();
        req.signal.removeEventListener('abort', end);
      }
    },
  };
}
