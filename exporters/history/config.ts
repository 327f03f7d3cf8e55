import { join } from 'node:path';
import { s, type Infer } from '../../src/config/schema.js';
import { parseDuration } from '../../src/config/units.js';
import { defaultStateDirectory } from '../../src/storage/state-dir.js';

/** `raw`, or a roll-up bucket as a duration; undefined when neither. */
export function resolutionMs(v: string): number | undefined {
  if (v === 'raw') return 0;
  const ms = parseDuration(v);
  return ms !== undefined && ms > 0 ? ms : undefined;
}

const tierSchema = s.object({
  resolution: s
    .refine(s.string(), (v) => (resolutionMs(v) === undefined ? `expected "raw" or a duration such as 1m, got ${JSON.stringify(v)}` : undefined))
    .describe('"raw" (samples as collected) or the roll-up bucket (1m, 1h)'),
  retention: s.duration({ min: 1000 }).describe('how long this tier keeps data'),
});

function checkTiers(tiers: { resolution: string; retention: number }[]): string | undefined {
  if (tiers.length === 0) return 'needs at least the raw tier';
  if (tiers[0]!.resolution !== 'raw') return 'the first tier must be `resolution: raw`';
  for (let i = 1; i < tiers.length; i++)
    if (!(resolutionMs(tiers[i]!.resolution)! > resolutionMs(tiers[i - 1]!.resolution)!))
      return `tier ${i} (${tiers[i]!.resolution}) must be coarser than tier ${i - 1} (${tiers[i - 1]!.resolution}); resolution "raw" only for the first`;
  return undefined;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export const configSchema = s.object({
  directory: s.string().default(() => join(defaultStateDirectory(), 'history')).describe('where the store lives (default history/ in the state directory)'),
  wal_fsync_interval: s
    .duration()
    .default('1s')
    .describe('longest time written samples wait for fdatasync (what a power loss can lose); 0s = acknowledge only after fdatasync'),
  max_size: s.size().default('1GiB').describe('disk cap for blocks and WAL; the oldest blocks are deleted first (0 = none)'),
  block_duration: s.duration({ min: 1000 }).default('1h').describe('time window of a raw block cut from the head'),
  tiers: s
    .refine(s.array(tierSchema), checkTiers)
    .default([
      { resolution: 'raw', retention: DAY },
      { resolution: '1m', retention: 14 * DAY },
      { resolution: '1h', retention: 365 * DAY },
    ])
    .describe('raw samples, then roll-ups (min/max/sum/count/last, counters reset-adjusted), each with its retention'),
  stale_markers: s.object({
    enabled: s.boolean().default(true).describe('store the staleness marker when a series stops, as Prometheus does'),
    after: s.duration().default('5m').describe('silence after which a series seen only once is stale'),
    min_after: s.duration().default('10s').describe('never mark a series stale sooner than this'),
  }),
  // Translation to Prometheus series: the same keys and defaults as the prometheus exporter, so
  // history holds exactly the series a Prometheus scraping telemd would hold.
  namespace: s.string().optional().describe('prefix for every metric name'),
  const_labels: s.record(s.string()).default({}).describe('labels added to every series'),
  add_metric_suffixes: s.boolean().default(true).describe('unit and _total suffixes'),
  resource_to_telemetry_conversion: s.object({
    enabled: s.boolean().default(false).describe('promote resource attributes to labels'),
  }),
  target_info: s.object({ enabled: s.boolean().default(true) }),
  delta_temporality: s.enum(['accumulate', 'drop'] as const).default('accumulate').describe('delta sums/histograms'),
});
export type Config = Infer<typeof configSchema>;
