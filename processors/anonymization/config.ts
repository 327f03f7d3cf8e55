import { s, type Infer } from '../../src/config/schema.js';
import { BUILTIN_KINDS } from '../../src/redaction/detectors.js';

export const ACTIONS = ['mask', 'hash', 'truncate_ip', 'drop'] as const;
const KEY_ACTIONS = ['mask', 'hash', 'drop'] as const;

const detector = () =>
  s.object({
    enabled: s.boolean().default(true).describe('run this detector'),
    action: s.enum(ACTIONS).default('mask').describe('mask | hash | truncate_ip (IP detectors) | drop'),
  });

export const configSchema = s.object({
  detectors: s.object({
    email: detector(),
    ipv4: detector(),
    ipv6: detector(),
    credit_card: detector(),
    iban: detector(),
    phone: detector(),
    jwt: detector(),
    bearer_token: detector(),
    aws_access_key: detector(),
    password: detector(),
    api_key: detector(),
    url_credentials: detector(),
  }),
  custom: s
    .array(
      s.object({
        name: s.string().describe('detector name, used in counters'),
        pattern: s.string().describe('JavaScript regular expression'),
        case_insensitive: s.boolean().default(false),
        action: s.enum(ACTIONS).default('mask'),
      }),
    )
    .default([])
    .describe('user-supplied patterns, run after the built-in detectors'),
  mask: s.string().default('***').describe('replacement text of the mask action'),
  hash_key: s.secret(s.string()).optional().describe('HMAC-SHA256 key of the hash action'),
  hash_key_env: s.string().optional().describe('environment variable holding the hash key'),
  allow_keys: s.array(s.string()).default([]).describe('if set, every other attribute key is redacted (fail closed)'),
  block_keys: s.array(s.string()).default([]).describe('keys whose whole value is redacted, at any depth'),
  ignored_keys: s.array(s.string()).default([]).describe('keys never touched'),
  key_action: s.enum(KEY_ACTIONS).default('mask').describe('what allow_keys/block_keys do to a value'),
  resource_attributes: s.boolean().default(true).describe('also scan resource attributes'),
  log_body: s.boolean().default(true).describe('scan log bodies (string and structured)'),
  span_names: s.boolean().default(true).describe('scan span names, event names and status messages'),
  count_attribute: s.boolean().default(false).describe('add redaction.count to each changed record/span/point'),
});

export type Config = Infer<typeof configSchema>;

/** The hash key from the config or the environment (undefined if neither is set). */
export function resolveHashKey(cfg: Config, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (cfg.hash_key) return cfg.hash_key;
  if (cfg.hash_key_env) return env[cfg.hash_key_env] || undefined;
  return undefined;
}

export function usesHash(cfg: Config): boolean {
  return (
    cfg.key_action === 'hash' ||
    Object.values(cfg.detectors).some((d) => d.enabled && d.action === 'hash') ||
    cfg.custom.some((c) => c.action === 'hash')
  );
}

export function validateConfig(cfg: Config): string[] {
  const errs: string[] = [];
  for (const [name, d] of Object.entries(cfg.detectors))
    if (d.action === 'truncate_ip' && name !== 'ipv4' && name !== 'ipv6')
      errs.push(`detectors.${name}.action: truncate_ip only applies to ipv4 and ipv6`);
  const names = new Set<string>(BUILTIN_KINDS);
  cfg.custom.forEach((c, i) => {
    if (c.action === 'truncate_ip') errs.push(`custom[${i}].action: truncate_ip only applies to ipv4 and ipv6`);
    if (names.has(c.name)) errs.push(`custom[${i}].name: "${c.name}" is already used`);
    names.add(c.name);
    try {
      new RegExp(c.pattern, c.case_insensitive ? 'i' : '');
    } catch (e) {
      errs.push(`custom[${i}].pattern: ${(e as Error).message}`);
    }
  });
  if (usesHash(cfg)) {
    if (!cfg.hash_key && !cfg.hash_key_env) errs.push('the hash action needs hash_key or hash_key_env');
    else if (!resolveHashKey(cfg)) errs.push(`hash_key_env: environment variable ${cfg.hash_key_env} is not set or empty`);
  }
  return errs;
}
