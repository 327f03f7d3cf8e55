import type { Host, Kind } from '../../src/component/component.js';
import type { MetricRegistry } from '../../src/telemetry/self.js';
import type { StorageClient } from '../../src/storage/storage.js';
import { testHost } from '../helpers/host.js';
import { testSettings, type TestSettings } from '../helpers/settings.js';

export type { TestSettings };

/** A real pino logger captured in memory and a real self-metrics registry. */
export function settings(id: string, kind: Kind = 'processor'): TestSettings {
  return testSettings(id, kind);
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
  return testHost({ getStorage });
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
