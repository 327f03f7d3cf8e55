import { s, type Infer } from './schema.js';

const pipelineSchema = s.object({
  receivers: s.array(s.string()).default([]),
  processors: s.array(s.string()).default([]),
  exporters: s.array(s.string()).default([]),
});

// Accepted so that Collector configs load; each warns with its position when set.
const logsIgnored = (what: string) => s.ignored(`telemd logs pino JSON to stdout; ${what}`);

export const serviceSchema = s.object({
  extensions: s.array(s.string()).default([]),
  pipelines: s.record(pipelineSchema).default({}),
  telemetry: s.object({
    logs: s.object({
      level: s.enum(['debug', 'info', 'warn', 'error', 'dpanic', 'panic', 'fatal'] as const).default('info'),
      encoding: s.enum(['json', 'console'] as const).default('json'),
      disabled: s.boolean().default(false).describe('no agent logs at all (the Collector\'s logs.disabled)'),
      development: logsIgnored('there is no development mode'),
      disable_caller: logsIgnored('records carry no caller'),
      disable_stacktrace: logsIgnored('errors carry their stack'),
      sampling: logsIgnored('records are not sampled'),
      output_paths: logsIgnored('redirect stdout (systemd sends it to the journal)'),
      error_output_paths: logsIgnored('redirect stdout'),
      initial_fields: logsIgnored('records carry no extra fields'),
      processors: logsIgnored('agent logs are not exported over OTLP'),
    }),
    metrics: s.object({
      level: s.enum(['none', 'basic', 'normal', 'detailed'] as const).default('basic'),
      address: s.string().optional().describe('host:port of the self-metrics endpoint (default 127.0.0.1:8888)'),
      readers: s.unknown().optional().describe('Collector-style readers; a pull/prometheus reader sets the address'),
    }),
    traces: s.ignored('telemd does not trace itself'),
    resource: s.ignored('self-metrics carry no resource attributes'),
  }),
  shutdown_timeout: s.duration().default('10s').describe('time allowed to flush and drain on SIGTERM'),
});

export type ServiceConfig = Infer<typeof serviceSchema>;
