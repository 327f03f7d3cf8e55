import type { Attributes, Metric } from '../../src/pdata/types.js';
import type { MetricBuilder, MetricDefs } from './metrics.js';
import { KeptTexts } from '../../src/procfs/index.js';

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
  /**
   * A /proc or /sys file read every scrape, as text: kept open and re-read with one pread, and
   * read once per collection round (between beginRound and endRound) however many scrapers ask
   * for it (/proc/stat, /proc/meminfo). Throws when it cannot be read.
   */
  text(path: string): string;
  beginRound(): void;
  endRound(): void;
  /** Closes the files `text` keeps open. */
  close(): void;
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
  const memo = new Map<string, string>();
  const kept = new KeptTexts();
  let inRound = false;
  return {
    root: r,
    bootNs,
    proc: (p) => `${r}/proc/${p}`,
    sys: (p) => `${r}/sys/${p}`,
    text(path) {
      if (!inRound) return kept.read(path);
      let t = memo.get(path);
      if (t === undefined) memo.set(path, (t = kept.read(path)));
      return t;
    },
    beginRound() {
      inRound = true;
    },
    endRound() {
      inRound = false;
      memo.clear();
    },
    close: () => kept.close(),
  };
}
