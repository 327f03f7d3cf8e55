import { s, type Infer } from './schema.js';

const pipelineSchema = s.object({
  receivers: s.array(s.string()).default([]),
  processors: s.array(s.string()).default([]),
  exporters: s.array(s.string()).default([]),
});

/** Accepted so that Collector configs run unchanged; telemd logs JSON to stdout regardless. */
const ignored = () => s.unknown().optional();

export const serviceSchema = s.object({
  extensions: s.array(s.string()).default([]),
  pipelines: s.record(pipelineSchema).default({}),
  telemetry: s.object({
    logs: s.object({
      level: s.enum(['debug', 'info', 'warn', 'error', 'dpanic', 'panic', 'fatal'] as const).default('info'),
      encoding: s.enum(['json', 'console'] as const).default('json'),
      development: ignored(),
      disable_caller: ignored(),
      disable_stacktrace: ignored(),
      sampling: ignored(),
      output_paths: ignored(),
      error_output_paths: ignored(),
      initial_fields: ignored(),
      processors: ignored(),
    }),
    metrics: s.object({
      level: s.enum(['none', 'basic', 'normal', 'detailed'] as const).default('basic'),
      address: s.string().optional().describe('host:port of the self-metrics endpoint (default 127.0.0.1:8888)'),
      readers: s.unknown().optional().describe('Collector-style readers; a pull/prometheus reader sets the address'),
    }),
    traces: ignored(),
    resource: s.record(s.unknown()).optional(),
  }),
  shutdown_timeout: s.duration().default('10s').describe('time allowed to flush and drain on SIGTERM'),
});

export type ServiceConfig = Infer<typeof serviceSchema>;
