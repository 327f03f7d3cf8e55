import { s, type Infer } from '../../src/config/schema.js';
import { metricTogglesSchema } from '../../src/checks/metrics.js';
import { compileRegex } from '../../src/promql/regex.js';
import { DEFS } from './metrics.js';

/** RE2, searched anywhere in the body (the Collector's validation `regex`, Go's MatchString). */
export function bodyRegex(re: string): { test(s: string): boolean } {
  return compileRegex(`(?s:.*)(?:${re})(?s:.*)`);
}

/** An http(s) URL, refused at its own position when malformed. */
export const urlSchema = s.refine(s.string(), (v) => {
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    return `"endpoint" must be in the form of <scheme>://<hostname>[:<port>]: invalid URL ${JSON.stringify(v)}`;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return `"endpoint" must be an http:// or https:// URL, got scheme "${u.protocol.slice(0, -1)}"`;
  if (u.hostname === '') return `"endpoint" has no host: ${JSON.stringify(v)}`;
  return undefined;
});

const regexSchema = s.refine(s.string(), (v) => {
  try {
    bodyRegex(v);
    return undefined;
  } catch (e) {
    return `invalid regular expression: ${(e as Error).message}`;
  }
});

/** The Collector's `validations:` items (one check per item), as contrib's httpcheck has them. */
const validationSchema = s.refine(
  s.object({
    contains: s.string().optional().describe('the body contains this text'),
    not_contains: s.string().optional().describe('the body does not contain this text'),
    regex: regexSchema.optional().describe('the body matches this RE2 regular expression (unanchored)'),
    json_path: s.string().optional().describe('a JSON path ($.a.b[0]) that must exist, and equal `equals` when given'),
    equals: s.string().optional(),
    min_size: s.int({ min: 0 }).optional().describe('bytes'),
    max_size: s.int({ min: 0 }).optional().describe('bytes'),
  }),
  (v) => {
    const set = ['contains', 'not_contains', 'regex', 'json_path', 'min_size', 'max_size'].filter((k) => (v as Record<string, unknown>)[k] !== undefined);
    if (set.length === 0) return 'a validation needs one of contains, not_contains, regex, json_path, min_size, max_size';
    if (v.equals !== undefined && v.json_path === undefined) return '"equals" needs "json_path"';
    return undefined;
  },
);
export type Validation = Infer<typeof validationSchema>;

/** 200, "2xx", or a range "200-299". */
const statusCodeSchema = s.refine(s.string(), (v) =>
  /^[1-5]xx$/.test(v) || /^[1-5]\d\d$/.test(v) || /^[1-5]\d\d-[1-5]\d\d$/.test(v) ? undefined : `expected a status code (200), a class ("2xx") or a range ("200-399"), got ${JSON.stringify(v)}`,
);

const tlsSchema = s.object({
  insecure_skip_verify: s.boolean().default(false).describe('do not verify the server certificate (expiry is still reported)'),
  ca_file: s.string().optional().describe('CA bundle (PEM) to verify the server with, instead of the system roots'),
  cert_file: s.string().optional().describe('client certificate (PEM), for mTLS'),
  key_file: s.string().optional().describe('client key (PEM)'),
  server_name_override: s.string().optional().describe('name sent as SNI and verified against the certificate'),
  min_version: s.enum(['1.0', '1.1', '1.2', '1.3'] as const).default('1.2'),
  insecure: s.ignored('plaintext or TLS follows the URL scheme'),
  include_system_ca_certs_pool: s.ignored('ca_file replaces the system roots; list both in one PEM file to trust both'),
  reload_interval: s.ignored('certificate files are read at start and on reload'),
});
export type TlsConfig = Infer<typeof tlsSchema>;

export const targetSchema = s.object({
  endpoint: urlSchema.optional().describe('URL to probe'),
  endpoints: s.array(urlSchema).default([]).describe('several URLs with the same settings'),
  method: s.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const).default('GET'),
  headers: s.record(s.secret(s.string())).default({}).describe('request headers; values are secrets (redacted in print-config and never logged)'),
  body: s.secret(s.string()).optional().describe('request body'),
  auto_content_type: s.boolean().default(false).describe('set Content-Type from the body (JSON, form, text) when no header sets it'),
  timeout: s.duration({ min: 1 }).optional().describe('whole probe, connect to last body byte (default: 10s, at most the interval)'),
  collection_interval: s.duration({ min: 100 }).optional().describe('telemd: this target\'s own interval (default: the receiver\'s)'),
  tls: tlsSchema,
  validations: s.array(validationSchema).default([]),
  valid_status_codes: s.array(statusCodeSchema).default(['2xx']).describe('telemd: statuses that count as success (200, "2xx", "200-399")'),
  follow_redirects: s.boolean().default(true).describe('telemd: follow 3xx Location (as the Collector\'s Go client does); timings add up over the hops'),
  max_redirects: s.int({ min: 0, max: 50 }).default(10),
  max_body_size: s.size().default('1MiB').describe('telemd: body bytes kept for validations (the rest is read and counted, not kept)'),
  compression: s.ignored('request bodies are sent uncompressed'),
  proxy_url: s.ignored('probes connect directly'),
  read_buffer_size: s.ignored('Node sizes its own buffers'),
  write_buffer_size: s.ignored('Node sizes its own buffers'),
  max_idle_conns: s.ignored('every probe opens a fresh connection, so connect and TLS are measured each time'),
  max_idle_conns_per_host: s.ignored('every probe opens a fresh connection'),
  max_conns_per_host: s.ignored('one connection per probe'),
  idle_conn_timeout: s.ignored('every probe opens a fresh connection'),
  disable_keep_alives: s.ignored('every probe opens a fresh connection (keep-alives are always off)'),
  http2_read_idle_timeout: s.ignored('probes use HTTP/1.1'),
  http2_ping_timeout: s.ignored('probes use HTTP/1.1'),
  auth: s.ignored('set credentials with headers (e.g. Authorization), which are redacted'),
  cookies: s.ignored('no cookie jar'),
});
export type TargetConfig = Infer<typeof targetSchema>;

export const configSchema = s.object({
  collection_interval: s.duration({ min: 100 }).default('60s').describe('how often each target is probed'),
  initial_delay: s.duration().default('1s').describe('before the first probes (each target then starts at its own phase of the interval)'),
  max_concurrency: s.int({ min: 1 }).default(64).describe('telemd: probes running at once, across targets'),
  targets: s.array(targetSchema).default([]),
  metrics: metricTogglesSchema(DEFS),
});
export type Config = Infer<typeof configSchema>;
