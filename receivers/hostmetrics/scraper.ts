import type { MetricBuilder, MetricDefs } from './metrics.js';

/** Where to read from: `root_path` prefixes /proc and /sys (e.g. /hostfs in a container). */
export interface ScrapeEnv {
  root: string;
  /** Host boot time (ns): the start time of counters that run since boot. */
  bootNs: bigint;
  proc(path: string): string;
  sys(path: string): string;
}

export interface Scraper {
  readonly name: string;
  readonly defs: MetricDefs;
  scrape(b: MetricBuilder, env: ScrapeEnv): Promise<void> | void;
}

export function makeEnv(root: string, bootNs: bigint): ScrapeEnv {
  const r = root.replace(/\/+$/, '');
  return { root: r, bootNs, proc: (p) => `${r}/proc/${p}`, sys: (p) => `${r}/sys/${p}` };
}
