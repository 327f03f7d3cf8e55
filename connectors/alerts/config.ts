import { globSync } from 'tinyglobby';
import { readFileSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { ParseContext, Schema, s, type Infer, type Path } from '../../src/config/schema.js';
import { parseRuleFile, validateRuleGroups, type GroupSpec } from '../../src/alerting/rulefmt.js';

/** Inline `rules:` as written (groups and/or bare rules), plus what they parse to. */
export interface InlineRules {
  raw: unknown;
  groups: GroupSpec[];
}

/** `rule_files:` globs as written, plus every file they matched and its groups. */
export interface RuleFiles {
  patterns: string[];
  files: { path: string; groups: GroupSpec[] }[];
}

/** Where inline rules without a group go (evaluated at evaluation_interval). */
export const INLINE_GROUP = 'inline';

class InlineRulesSchema extends Schema<InlineRules> {
  constructor() {
    super();
    this.default(() => ({ raw: [], groups: [] }));
  }
  parseValue(v: unknown, ctx: ParseContext, path: Path): InlineRules {
    const r = validateRuleGroups(v, { origin: 'inline', implicitGroup: INLINE_GROUP });
    for (const i of r.issues) ctx.error([...path, ...i.path], i.message, i.atKey);
    return { raw: v, groups: r.groups };
  }
  override redact(value: InlineRules): unknown {
    return value?.raw;
  }
}

const GLOB_CHARS = /[*?[\]{}]/;

class RuleFilesSchema extends Schema<RuleFiles> {
  constructor() {
    super();
    this.default(() => ({ patterns: [], files: [] }));
  }
  parseValue(v: unknown, ctx: ParseContext, path: Path): RuleFiles {
    const patterns: string[] = [];
    if (typeof v === 'string') patterns.push(v);
    else if (Array.isArray(v))
      v.forEach((p, i) => {
        if (typeof p === 'string') patterns.push(p);
        else ctx.error([...path, i], `expected a path or glob, got ${typeof p}`);
      });
    else {
      ctx.error(path, 'expected a list of paths or globs');
      return { patterns: [], files: [] };
    }
    const files: RuleFiles['files'] = [];
    const seen = new Set<string>();
    patterns.forEach((pat, i) => {
      let matched: string[];
      if (GLOB_CHARS.test(pat)) {
        matched = globSync(pat, { absolute: true, onlyFiles: true, expandDirectories: false }).sort();
        if (matched.length === 0) ctx.warn([...path, i], `rule_files: "${pat}" matches no file`, false);
      } else {
        try {
          statSync(pat);
          matched = [pat];
        } catch (e) {
          ctx.error([...path, i], `cannot read ${pat}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
          matched = [];
        }
      }
      for (const file of matched) {
        if (seen.has(file)) continue;
        seen.add(file);
        let text: string;
        try {
          text = readFileSync(file, 'utf8');
        } catch (e) {
          ctx.error([...path, i], `cannot read ${file}: ${(e as Error).message}`);
          continue;
        }
        const r = parseRuleFile(file, text);
        for (const e of r.errors) ctx.errorAt({ file: e.file, line: e.line, col: e.col }, e.message);
        files.push({ path: file, groups: r.groups });
      }
    });
    return { patterns, files };
  }
  override redact(value: RuleFiles): unknown {
    return value?.patterns;
  }
}

const httpClient = {
  timeout: s.duration().default('10s').describe('per request'),
  basic_auth: s
    .object({
      username: s.string(),
      password: s.secret(s.string()).optional(),
      password_file: s.string().optional().describe('read at start and re-read when it changes'),
    })
    .optional()
    .describe('HTTP basic authentication'),
  authorization: s
    .object({
      type: s.string().default('Bearer'),
      credentials: s.secret(s.string()).optional(),
      credentials_file: s.string().optional(),
    })
    .optional()
    .describe('Authorization header (Bearer by default), as Prometheus writes it'),
  tls_config: s.object({
    ca_file: s.string().optional().describe('CA to verify the server (PEM); default: system roots'),
    cert_file: s.string().optional().describe('client certificate (mTLS)'),
    key_file: s.string().optional(),
    server_name: s.string().optional().describe('name to verify the certificate against (SNI)'),
    insecure_skip_verify: s.boolean().default(false),
    min_version: s.enum(['TLS12', 'TLS13'] as const).default('TLS12'),
  }),
};

const retry = s.object({
  initial_interval: s.duration({ min: 1 }).default('1s'),
  max_interval: s.duration({ min: 1 }).default('30s'),
});

export const configSchema = s.object({
  evaluation_interval: s.duration({ min: 100 }).default('10s').describe('default interval of every rule group'),
  rule_files: new RuleFilesSchema().describe('Prometheus rule files (paths or globs), unchanged format'),
  rules: new InlineRulesSchema().describe('inline rule groups (or bare rules, grouped as "inline"), same format'),
  stock_rules: s.boolean().default(false).describe("telemd's built-in host rules (README table)"),
  external_labels: s
    .record(s.string())
    .default(() => ({ instance: hostname() }))
    .describe('labels added to every alert sent out (as Prometheus global.external_labels); default instance=<hostname>'),
  external_url: s.string().default('').describe("base URL for alerts' generatorURL and {{ externalURL }}"),
  lookback_delta: s.duration({ min: 1 }).default('5m').describe('how far back instant selectors look (Prometheus --query.lookback-delta)'),
  max_series: s.int({ min: 1 }).default(50_000).describe('series kept for evaluation; more are refused and counted'),
  alertmanager: s
    .object({
      endpoints: s.array(s.string()).default([]).describe('Alertmanager URLs (all are notified: an HA pair)'),
      api_version: s.enum(['v2'] as const).default('v2'),
      path_prefix: s.string().default('').describe('prefix of the API path (Alertmanager behind a proxy)'),
      ...httpClient,
      resend_delay: s.duration({ min: 1 }).default('1m').describe('re-send firing alerts this often (Prometheus --rules.alert.resend-delay)'),
      queue_capacity: s.int({ min: 1 }).default(10_000).describe('alerts queued per Alertmanager; the oldest go first (counted)'),
      max_batch_size: s.int({ min: 1 }).default(64).describe('alerts per request'),
      retry_on_failure: retry,
    })
    .describe('Alertmanager delivery (API v2)'),
  webhook: s
    .array(
      s.object({
        url: s.string(),
        send_resolved: s.boolean().default(true),
        max_alerts: s.int({ min: 0 }).default(0).describe('alerts per message (0 = all)'),
        repeat_interval: s.duration({ min: 1 }).default('4h').describe('re-notify a still-firing alert this often'),
        ...httpClient,
        retry_on_failure: retry,
      }),
    )
    .default([])
    .describe('posts the Alertmanager webhook JSON to any URL'),
  storage: s.string().optional().describe('file_storage id: alerts, acks and for-timers survive restarts'),
});

export type Config = Infer<typeof configSchema>;
export type HttpClientConfig = Infer<ReturnType<typeof s.object<typeof httpClient>>>;

export function validate(cfg: Config): string[] {
  const out: string[] = [];
  const checkUrl = (u: string, where: string) => {
    try {
      const url = new URL(/^[a-z]+:\/\//i.test(u) ? u : `http://${u}`);
      if (url.protocol !== 'http:' && url.protocol !== 'https:') out.push(`${where}: ${u}: only http and https`);
    } catch {
      out.push(`${where}: ${u}: not a URL`);
    }
  };
  cfg.alertmanager.endpoints.forEach((u, i) => checkUrl(u, `alertmanager.endpoints[${i}]`));
  cfg.webhook.forEach((w, i) => checkUrl(w.url, `webhook[${i}].url`));
  const auth = (c: HttpClientConfig, where: string) => {
    if (c.basic_auth && c.basic_auth.password !== undefined && c.basic_auth.password_file !== undefined) out.push(`${where}.basic_auth: password and password_file are exclusive`);
    if (c.authorization && c.authorization.credentials !== undefined && c.authorization.credentials_file !== undefined)
      out.push(`${where}.authorization: credentials and credentials_file are exclusive`);
    if (c.basic_auth && c.authorization) out.push(`${where}: basic_auth and authorization are exclusive`);
  };
  auth(cfg.alertmanager, 'alertmanager');
  cfg.webhook.forEach((w, i) => auth(w, `webhook[${i}]`));
  const names = new Map<string, string>();
  const addGroups = (gs: GroupSpec[], where: string) => {
    for (const g of gs) {
      const key = `${g.origin.file}\u0000${g.name}`;
      if (names.has(key)) out.push(`${where}: group "${g.name}" is defined twice`);
      names.set(key, where);
    }
  };
  addGroups(cfg.rules.groups, 'rules');
  for (const f of cfg.rule_files.files) addGroups(f.groups, f.path);
  return out;
}
