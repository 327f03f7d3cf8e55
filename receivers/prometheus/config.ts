import { s, type Infer } from '../../src/config/schema.js';

// The Collector's prometheus receiver embeds a Prometheus `config:` block; this is the subset
// telemd implements, with Prometheus' own key names and defaults.
export const relabelSchema = s.object({
  source_labels: s.array(s.string()).default([]),
  separator: s.string().default(';'),
  regex: s.string().default('(.*)'),
  target_label: s.string().optional(),
  replacement: s.string().default('$1'),
  action: s.enum(['replace', 'keep', 'drop', 'labeldrop', 'labelkeep'] as const).default('replace'),
});
export type RelabelConfig = Infer<typeof relabelSchema>;

export const scrapeConfigSchema = s.object({
  job_name: s.string(),
  scrape_interval: s.duration({ min: 100 }).optional().describe('default: global.scrape_interval (1m)'),
  scrape_timeout: s.duration({ min: 10 }).optional().describe('default: global.scrape_timeout (10s), at most the interval'),
  metrics_path: s.string().default('/metrics'),
  scheme: s.enum(['http', 'https'] as const).default('http'),
  params: s.record(s.array(s.string())).default({}),
  honor_labels: s.boolean().default(false),
  honor_timestamps: s.boolean().default(true),
  static_configs: s
    .array(s.object({ targets: s.array(s.string()).default([]), labels: s.record(s.string()).default({}) }))
    .default([]),
  metric_relabel_configs: s.array(relabelSchema).default([]),
  basic_auth: s.object({ username: s.string(), password: s.secret(s.string()) }).optional(),
  bearer_token: s.secret(s.string()).optional(),
  tls_config: s.object({ insecure_skip_verify: s.boolean().default(false) }).optional(),
});
export type ScrapeConfig = Infer<typeof scrapeConfigSchema>;

export const configSchema = s.object({
  config: s.object({
    global: s.object({
      scrape_interval: s.duration({ min: 100 }).default('1m'),
      scrape_timeout: s.duration({ min: 10 }).default('10s'),
      external_labels: s.record(s.string()).default({}),
    }),
    scrape_configs: s.array(scrapeConfigSchema).default([]),
  }),
});
export type Config = Infer<typeof configSchema>;
