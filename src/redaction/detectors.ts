// Built-in personal-data detectors. Each one finds candidate spans with a cheap gate first
// (most log lines hold no personal data), then a regex or hand scan, then a validity check
// (checksums, country tables, JSON headers) that keeps precision high.
import { findEmail, findIPv4, findIPv6, findUrlCredentials } from './detect-contact.js';
import { findCard, findIban, findPhone } from './detect-financial.js';
import { findAws, findBearer, findJwt } from './detect-secrets.js';
import { findApiKey, findPassword } from './detect-keyed.js';
import type { FindFn } from './text.js';

export type { FindFn, Match, TextStats } from './text.js';
export { textStats } from './text.js';

export const BUILTIN_KINDS = [
  'url_credentials',
  'jwt',
  'bearer_token',
  'aws_access_key',
  'password',
  'api_key',
  'email',
  'iban',
  'credit_card',
  'phone',
  'ipv6',
  'ipv4',
] as const;
export type BuiltinKind = (typeof BUILTIN_KINDS)[number];
export const BUILTIN_FINDERS: Record<BuiltinKind, FindFn> = {
  url_credentials: findUrlCredentials,
  jwt: findJwt,
  bearer_token: findBearer,
  aws_access_key: findAws,
  password: findPassword,
  api_key: findApiKey,
  email: findEmail,
  iban: findIban,
  credit_card: findCard,
  phone: findPhone,
  ipv6: findIPv6,
  ipv4: findIPv4,
};

/** A user-supplied regular expression (compiled with the `g` flag). */
export function regexFinder(re: RegExp): FindFn {
  const g = new RegExp(re.source, re.flags.includes('g') ? re.flags : re.flags + 'g');
  return (t, _st, det, out) => {
    g.lastIndex = 0;
    for (let m = g.exec(t); m; m = g.exec(t)) {
      if (m[0].length === 0) {
        g.lastIndex++;
        continue;
      }
      out.push({ start: m.index, end: m.index + m[0].length, det });
    }
  };
}
