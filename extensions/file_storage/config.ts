import { s, type Infer } from '../../src/config/schema.js';
import { defaultStateDirectory } from '../../src/storage/state-dir.js';

/** The service's state directory (systemd StateDirectory); a clone run unprivileged keeps state beside it. */
export const defaultDirectory = defaultStateDirectory;

export const configSchema = s.object({
  directory: s.string().default(defaultDirectory).describe('where state lives (default $STATE_DIRECTORY of the service, /var/lib/telemd as root, else ./data/state)'),
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
