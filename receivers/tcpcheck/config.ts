import { s, type Infer } from '../../src/config/schema.js';
import { metricTogglesSchema } from '../../src/checks/metrics.js';
import { compileRegex } from '../../src/promql/regex.js';
import { DEFS } from './metrics.js';

/** host:port (IPv6 in brackets), refused at its own position otherwise. */
export const endpointSchema = s.refine(s.string(), (v) => (splitEndpoint(v) ? undefined : `"endpoint" must be host:port (IPv6 as [::1]:port), got ${JSON.stringify(v)}`));

export function splitEndpoint(v: string): { host: string; port: number } | undefined {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\s[\]]+)):(\d{1,5})$/.exec(v.trim());
  if (!m) return undefined;
  const port = Number(m[3]);
  if (port < 1 || port > 65535) return undefined;
  return { host: m[1] ?? m[2]!, port };
}

const expectSchema = s.refine(s.string(), (v) => {
  try {
    compileRegex(`(?s:.*)(?:${v})(?s:.*)`);
    return undefined;
  } catch (e) {
    return `invalid regular expression: ${(e as Error).message}`;
  }
});

const tlsSchema = s.object({
  insecure_skip_verify: s.boolean().default(false),
  ca_file: s.string().optional(),
  cert_file: s.string().optional(),
  key_file: s.string().optional(),
  server_name_override: s.string().optional(),
  min_version: s.enum(['1.0', '1.1', '1.2', '1.3'] as const).default('1.2'),
});

export const targetSchema = s.object({
  endpoint: endpointSchema,
  dialer: s.object({ timeout: s.duration({ min: 1 }).optional().describe('connect timeout (default: the probe timeout)') }),
  timeout: s.duration({ min: 1 }).optional().describe('telemd: the whole probe, connect to expect (default 10s, at most the interval)'),
  collection_interval: s.duration({ min: 100 }).optional().describe("telemd: this target's own interval"),
  tls: s.presence(tlsSchema).describe('telemd: speak TLS after connecting (present = on)'),
  send: s.string().optional().describe('telemd: bytes to send once connected (YAML escapes: "PING\\r\\n")'),
  expect: expectSchema.optional().describe('telemd: RE2 regex the server\'s reply must match (read until it matches, closes, or the timeout)'),
  max_read: s.size().default('64KiB').describe('telemd: reply bytes read for expect'),
});
export type TargetConfig = Infer<typeof targetSchema>;

export const configSchema = s.object({
  collection_interval: s.duration({ min: 100 }).default('60s'),
  initial_delay: s.duration().default('1s'),
  max_concurrency: s.int({ min: 1 }).default(64),
  targets: s.array(targetSchema).default([]),
  metrics: metricTogglesSchema(DEFS),
});
export type Config = Infer<typeof configSchema>;
