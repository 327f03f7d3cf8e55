import pino from 'pino';
import { Writable } from 'node:stream';
import type { CreateSettings, Host, Kind } from '../../src/component/component.js';
import { parseComponentId } from '../../src/component/component.js';
import { MetricRegistry, SelfTelemetry } from '../../src/telemetry/self.js';
import type { StorageClient } from '../../src/storage/storage.js';

export interface TestSettings extends CreateSettings {
  registry: MetricRegistry;
  lines: Record<string, unknown>[];
}

/** A real pino logger captured in memory and a real self-metrics registry. */
export function settings(id: string, kind: Kind = 'processor'): TestSettings {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  const registry = new MetricRegistry();
  const cid = parseComponentId(id)!;
  return { id: cid, kind, logger: pino({ level: 'debug' }, sink), telemetry: new SelfTelemetry(registry, { [kind]: cid.id }), registry, lines };
}

/** Value of one self-metric series, matched by name and a label subset. */
export function metricValue(reg: MetricRegistry, name: string, labels: Record<string, string> = {}): number {
  for (const line of reg.renderPrometheus().split('\n')) {
    if (!line.startsWith(name + '{') && !line.startsWith(name + ' ')) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) return Number(line.split(' ').pop());
  }
  return NaN;
}

/** A host with one storage extension backed by the given clients factory. */
export function hostWith(getStorage?: (ext: string) => Promise<StorageClient>): Host {
  return {
    getExtension: () => undefined,
    getStorage: async (ext) => {
      if (!getStorage) throw new Error(`no storage extension ${ext}`);
      return getStorage(ext);
    },
    reportFatal: () => {},
    agent: { health: () => ({ healthy: true, reasons: [] }), reload: async () => ({ applied: false, errors: [] }) },
  };
}

/** Deterministic PRNG and Gaussian noise for synthetic series. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
export function gauss(r: () => number): number {
  return Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
}
