import type { Attributes, Metric } from '../../src/pdata/types.js';
import type { MetricBuilder, MetricDefs } from './metrics.js';

/** Metrics of a resource other than the host (one process). */
export interface ResourceOut {
  attributes: Attributes;
  metrics: Metric[];
}

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
  /** Host metrics go into `b`; a scraper may also return metrics of other resources. */
  scrape(b: MetricBuilder, env: ScrapeEnv): Promise<void | ResourceOut[]> | void | ResourceOut[];
  /** Releases what the scraper keeps between scrapes (open descriptors); a later scrape starts over. */
  close?(): void;
}

export function makeEnv(root: string, bootNs: bigint): ScrapeEnv {
  const r = root.replace(/\/+$/, '');
  return { root: r, bootNs, proc: (p) => `${r}/proc/${p}`, sys: (p) => `${r}/sys/${p}` };
}
