// Config keys and defaults follow the Collector's hostmetrics receiver, so its configs run as-is.
import { ParseContext, Schema, s, type Infer, type Path } from '../../src/config/schema.js';
import { didYouMean } from '../../src/config/suggest.js';
import { cpuDefs } from './scrapers/cpu.js';
import { diskDefs } from './scrapers/disk.js';
import { filesystemDefs } from './scrapers/filesystem.js';
import { loadDefs } from './scrapers/load.js';
import { memoryDefs } from './scrapers/memory.js';
import { networkDefs } from './scrapers/network.js';
import { pagingDefs } from './scrapers/paging.js';
import { processesDefs } from './scrapers/processes.js';
import { PROCESS_RESOURCE_ATTRIBUTES, processDefs } from './scrapers/process.js';
import { systemDefs } from './scrapers/system.js';
import { cgroupDefs } from './scrapers/cgroup.js';

/** A scraper section: absent = off, `cpu:` with no value = on with defaults. */
const section = s.presence;

type Toggle = { enabled?: boolean };

/** `<name>: {enabled: bool}` for known names only; an unknown name is reported at its key. */
class TogglesSchema extends Schema<Record<string, Toggle>> {
  private readonly item = s.object({ enabled: s.boolean().optional() });
  constructor(
    private readonly known: string[],
    private readonly noun: string,
  ) {
    super();
  }
  parseValue(v: unknown, ctx: ParseContext, path: Path): Record<string, Toggle> {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      ctx.error(path, 'expected a map of `<name>: {enabled: true|false}`');
      return {};
    }
    const out: Record<string, Toggle> = {};
    for (const [k, x] of Object.entries(v)) {
      if (!this.known.includes(k)) {
        ctx.error([...path, k], `unknown ${this.noun} "${k}"` + didYouMean(k, this.known), true);
        continue;
      }
      out[k] = this.item.parse(x, ctx, [...path, k]);
    }
    return out;
  }
}
const toggles = (defs: Record<string, unknown>, noun = 'metric') =>
  new TogglesSchema(Object.keys(defs), noun).default({}).describe('Per-metric switches: `<metric>: {enabled: bool}`');

const matchType = () => s.enum(['strict', 'regexp'] as const).default('strict');
const matchList = <K extends string>(key: K) =>
  s
    .object({
      ...({ [key]: s.array(s.string()).default([]) } as unknown as Record<K, Schema<string[]>>),
      match_type: matchType(),
    })
    .optional();

export const cpuSchema = s.object({
  metrics: toggles(cpuDefs),
  per_cpu: s.boolean().default(false).describe('One series per logical CPU (`cpu` attribute); telemd extension'),
});
export const memorySchema = s.object({ metrics: toggles(memoryDefs) });
export const loadSchema = s.object({
  metrics: toggles(loadDefs),
  cpu_average: s.boolean().default(false).describe('Divide load averages by the number of logical CPUs'),
});
export const filesystemSchema = s.object({
  metrics: toggles(filesystemDefs),
  include_devices: matchList('devices'),
  exclude_devices: matchList('devices'),
  include_fs_types: matchList('fs_types'),
  exclude_fs_types: matchList('fs_types'),
  include_mount_points: matchList('mount_points'),
  exclude_mount_points: matchList('mount_points'),
  include_virtual_filesystems: s.boolean().default(false),
});
export const networkSchema = s.object({
  metrics: toggles(networkDefs),
  include: matchList('interfaces'),
  exclude: matchList('interfaces'),
});
export const diskSchema = s.object({
  metrics: toggles(diskDefs),
  include: matchList('devices'),
  exclude: matchList('devices'),
});

export const pagingSchema = s.object({ metrics: toggles(pagingDefs) });
export const processesSchema = s.object({ metrics: toggles(processesDefs) });
export const systemSchema = s.object({ metrics: toggles(systemDefs) });
export const cgroupSchema = s.object({
  metrics: toggles(cgroupDefs),
  services: s.boolean().default(false).describe('Also report each systemd service cgroup under system.slice'),
});
const mute = () => s.boolean().default(false).describe('Accepted for Collector compatibility: telemd counts unreadable processes instead of logging them');
export const processSchema = s.object({
  metrics: toggles(processDefs),
  resource_attributes: toggles(PROCESS_RESOURCE_ATTRIBUTES, 'resource attribute'),
  include: matchList('names'),
  exclude: matchList('names'),
  mute_process_name_error: mute(),
  mute_process_exe_error: mute(),
  mute_process_io_error: mute(),
  mute_process_user_error: mute(),
  mute_process_cgroup_error: mute(),
  mute_process_all_errors: mute(),
});

export const scrapersSchema = s.object({
  cpu: section(cpuSchema),
  memory: section(memorySchema),
  load: section(loadSchema),
  filesystem: section(filesystemSchema),
  network: section(networkSchema),
  disk: section(diskSchema),
  paging: section(pagingSchema),
  processes: section(processesSchema),
  process: section(processSchema),
  system: section(systemSchema),
  // An older name of the system scraper (system.uptime is its one metric): loads, with a warning.
  uptime: s.deprecated(section(systemSchema), 'system (the scraper of system.uptime)'),
  cgroup: section(cgroupSchema),
});

export const configSchema = s.object({
  collection_interval: s.duration({ min: 1 }).default('10s').describe('How often to scrape'),
  initial_delay: s.duration().default(0).describe('Delay before the first scrape (0 = at start)'),
  timeout: s.duration().default(0).describe('Give up on a filesystem whose statfs hangs after this long (0 = min(5s, collection_interval))'),
  root_path: s.string().default('').describe('Host root when running in a container, e.g. /hostfs'),
  semconv: s.enum(['collector', 'latest'] as const).default('collector').describe('Metric/attribute naming: the Collector\'s defaults or the latest semantic conventions'),
  scrapers: scrapersSchema,
});

export type Config = Infer<typeof configSchema>;
export type ScrapersConfig = Config['scrapers'];
