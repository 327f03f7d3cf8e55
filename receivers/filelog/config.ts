import { s, type Infer } from '../../src/config/schema.js';

// Key names and defaults follow the Collector's filelog receiver so its configs run unchanged.
export const multilineSchema = s.object({
  line_start_pattern: s.string().optional().describe('regex: a line matching it starts a new record'),
  line_end_pattern: s.string().optional().describe('regex: a line matching it ends the record'),
  omit_pattern: s.boolean().default(false).describe('drop the matched start/end text from the record'),
});

export const filelogRetrySchema = s.object({
  enabled: s.boolean().default(true).describe('accepted for compatibility; retryable refusals are always retried'),
  initial_interval: s.duration().default('1s').describe('first pause after a retryable refusal'),
  max_interval: s.duration().default('30s').describe('longest pause between retries'),
  max_elapsed_time: s
    .duration()
    .default('0')
    .describe('accepted for compatibility; the file is the buffer, so retrying never gives up'),
});

export const configSchema = s.object({
  include: s.array(s.string()).describe('glob patterns of files to tail'),
  exclude: s.array(s.string()).default([]).describe('glob patterns to leave out'),
  start_at: s.enum(['end', 'beginning'] as const).default('end').describe('where to start files on the very first run'),
  poll_interval: s.duration({ min: 1 }).default('200ms').describe('how often globs are re-evaluated'),
  max_concurrent_files: s.int({ min: 2 }).default(1024).describe('open files at most'),
  fingerprint_size: s.size().default('1KiB').describe('leading bytes that identify a file'),
  max_log_size: s.size().default('1MiB').describe('longer records are truncated (log.truncated=true)'),
  encoding: s.enum(['utf-8', 'utf8', 'latin1', 'iso-8859-1', 'utf-16le', 'utf-16be', 'ascii'] as const).default('utf-8'),
  force_flush_period: s.duration().default('500ms').describe('emit a partial last line after this idle time'),
  include_file_name: s.boolean().default(true).describe('add log.file.name'),
  include_file_path: s.boolean().default(false).describe('add log.file.path'),
  include_file_name_resolved: s.boolean().default(false).describe('add log.file.name_resolved (symlinks followed)'),
  include_file_path_resolved: s.boolean().default(false).describe('add log.file.path_resolved (symlinks followed)'),
  follow_symlinks: s
    .boolean()
    .default(false)
    .describe('follow symlinks to anywhere; by default only to targets inside the include folders or symlink_targets'),
  symlink_targets: s
    .array(s.string())
    .default([])
    .describe('glob patterns of symlink targets allowed outside the include folders (e.g. /var/log/pods/**)'),
  exclude_older_than: s.duration().optional().describe('skip files not modified for this long'),
  compression: s
    .enum(['', 'gzip', 'auto'] as const)
    .default('')
    .describe('gzip: every file is gzip; auto or empty: files ending in .gz are (when included explicitly)'),
  multiline: multilineSchema.optional(),
  operators: s.array(s.unknown()).default([]).describe('stanza operators: parsers, timestamp, severity, move/remove/add'),
  attributes: s.record(s.unknown()).default({}).describe('static attributes for every record'),
  resource: s.record(s.unknown()).default({}).describe('static resource attributes'),
  storage: s.string().optional().describe('file_storage extension id: checkpoints survive restarts'),
  retry_on_failure: filelogRetrySchema,
  max_batch_size: s.int({ min: 1 }).default(8192).describe('records per delivery at most'),
});

export type Config = Infer<typeof configSchema>;
export type MultilineConfig = Infer<typeof multilineSchema>;
