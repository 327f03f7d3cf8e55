import { s, type Infer } from '../../src/config/schema.js';
import { defaultTokenPath } from '../../src/security/token.js';

export const configSchema = s.object({
  endpoint: s.string().default('127.0.0.1:13133'),
  path: s.string().default('/'),
  response_body: s.object({ healthy: s.string().optional(), unhealthy: s.string().optional() }).optional(),
  exporter_stall_window: s
    .duration()
    .default('5m')
    .describe('unhealthy when an exporter has failed and delivered nothing for this long (0 = off)'),
  // Collector's (deprecated) pipeline check: when enabled, its interval becomes the stall window.
  check_collector_pipeline: s
    .object({
      enabled: s.boolean().default(false),
      interval: s.duration().default('5m'),
      exporter_failure_threshold: s.int({ min: 1 }).default(5),
    })
    .optional(),
  enable_reload: s.boolean().default(false).describe('serve POST /reload (re-reads the config like SIGHUP); it then needs the bearer token of token_file'),
  token_file: s
    .string()
    .default(defaultTokenPath)
    .describe('bearer token POST /reload needs (created with mode 0600 when absent; the console uses the same file by default)'),
});

export type Config = Infer<typeof configSchema>;
