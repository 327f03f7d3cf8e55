import { s, type Infer } from '../../src/config/schema.js';

export const configSchema = s.object({
  path: s.string().describe('file to write; OTLP JSON, one export request per line'),
  format: s.enum(['json', 'proto'] as const).default('json').describe('json: one request per line; proto: 4-byte big-endian length + bytes'),
  rotation: s
    .object({
      max_megabytes: s.int({ min: 1 }).default(100),
      max_days: s.int({ min: 0 }).default(0).describe('0 = keep regardless of age'),
      max_backups: s.int({ min: 0 }).default(100).describe('0 = keep all'),
      localtime: s.boolean().default(false),
    })
    .optional()
    .describe('rotate when the file exceeds max_megabytes'),
  compression: s.enum(['none', 'gzip', 'zstd'] as const).default('none').describe('compress rotated files: gzip (.gz) or zstd (.zst)'),
  compression_level: s.int({ min: 1, max: 22 }).optional().describe('gzip 1-9 (default 6), zstd 1-22 (default 9)'),
  flush_interval: s
    .duration()
    .default('1s')
    .describe('upper bound: with fsync, data is written and fsync\'d as soon as the previous fsync is done; without, the file is fsync\'d at least this often'),
  fsync: s.boolean().default(true).describe('fsync before acknowledging (durable delivery); false: acknowledged once in the page cache'),
  append: s.boolean().default(true).describe('append to an existing file (the Collector truncates by default; telemd never discards data)'),
  group_by: s.unknown().optional(),
});

export type Config = Infer<typeof configSchema>;
