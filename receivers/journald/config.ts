import { s, type Infer } from '../../src/config/schema.js';

// Key names and defaults follow the Collector's journald receiver.
export const configSchema = s.object({
  directory: s.string().optional().describe('journal directory (journalctl --directory)'),
  files: s.array(s.string()).default([]).describe('journal files (journalctl --file; globs allowed)'),
  start_at: s.enum(['end', 'beginning'] as const).default('end').describe('where to start without a checkpoint'),
  units: s.array(s.string()).default([]).describe('systemd units to read (--unit)'),
  identifiers: s.array(s.string()).default([]).describe('syslog identifiers to read (--identifier)'),
  priority: s
    .enum(['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'] as const)
    .default('info')
    .describe('lowest priority to read (--priority)'),
  matches: s.array(s.record(s.string())).default([]).describe('field matches; entries of one map AND, maps OR'),
  grep: s.string().optional().describe('journalctl --grep pattern on MESSAGE'),
  dmesg: s.boolean().default(false).describe('kernel messages only'),
  all: s.boolean().default(false).describe('keep long and unprintable fields (--all)'),
  storage: s.string().optional().describe('file_storage extension id: the cursor survives restarts'),
  journalctl_path: s.string().default('journalctl').describe('the journalctl binary'),
  max_batch_size: s.int({ min: 1 }).default(1000).describe('entries per delivery at most'),
  retry_on_failure: s.object({
    enabled: s.boolean().default(true).describe('accepted for compatibility; retryable refusals are always retried'),
    initial_interval: s.duration().default('1s'),
    max_interval: s.duration().default('30s'),
    max_elapsed_time: s.duration().default('0').describe('accepted for compatibility; never gives up'),
  }),
  operators: s.array(s.unknown()).default([]).describe('stanza operators run on each entry'),
});

export type Config = Infer<typeof configSchema>;
