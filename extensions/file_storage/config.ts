import { s, type Infer } from '../../src/config/schema.js';

/** Root as the service (systemd StateDirectory); a clone run unprivileged keeps state beside it. */
export function defaultDirectory(): string {
  return typeof process.getuid === 'function' && process.getuid() === 0 ? '/var/lib/telemd' : './data/state';
}

export const configSchema = s.object({
  directory: s.string().default(defaultDirectory).describe('where state lives (default /var/lib/telemd as root, else ./data/state)'),
  create_directory: s.boolean().default(true).describe('create `directory` when missing'),
  directory_permissions: s
    .refine(s.string(), (v) => (/^0?[0-7]{3}$/.test(v) ? undefined : `expected an octal mode like 0750, got ${JSON.stringify(v)}`))
    .default('0750')
    .describe('mode of created directories'),
  fsync: s.boolean().default(true).describe('fsync every write (off = faster, may lose the last writes on power loss)'),
  timeout: s.duration().default('1s').describe('accepted for Collector compatibility (lock wait)'),
  compaction: s.looseObject({}).optional().describe('accepted for Collector compatibility; nothing to compact here'),
});
export type Config = Infer<typeof configSchema>;
