// Built-in personal-data detectors. Each one finds candidate spans with a cheap gate first
// (most log lines hold no personal data), then a regex or hand scan, then a validity check
// (checksums, country tables, JSON headers) that keeps precision high.
import { isIPv6 } from 'node:net';
import { cardGroupingValid, cardIssuerValid, luhnValid } from './luhn.js';
import { ibanChecksumValid, ibanLength } from './iban.js';
import { matchPhoneAt } from './phone.js';

export const BUILTIN_KINDS = [
  'url_credentials',
  'jwt',
  'bearer_token',
  'aws_access_key',
  'email',
  'iban',
  'credit_card',
  'phone',
  'ipv6',
  'ipv4',
] as const;
export type BuiltinKind = (typeof BUILTIN_KINDS)[number];

export interface Match {
  start: number;
  end: number;
  /** Index of the detector in the scanner's list; lower wins when spans overlap. */
  det: number;
}

/** Character statistics computed once per string to skip detectors that cannot match. */
export interface TextStats {
  digits: number;
  upper: number;
  colons: number;
  dots: number;
  at: boolean;
  plus: boolean;
  pct: boolean;
  /** The value belongs to a key that names a version (service.version): dotted quads are versions. */
  versionKey?: boolean;
}

export function textStats(t: string): TextStats {
  let digits = 0;
  let upper = 0;
  let colons = 0;
  let dots = 0;
  let at = false;
  let plus = false;
  let pct = false;
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c <= 57) {
      if (c >= 48) digits++;
      else if (c === 46) dots++;
      else if (c === 43) plus = true;
      else if (c === 37) pct = true;
    } else if (c <= 90) {
      if (c >= 65) upper++;
      else if (c === 58) colons++;
      else if (c === 64) at = true;
    }
  }
  return { digits, upper, colons, dots, at, plus, pct };
}

export type FindFn = (t: string, st: TextStats, det: number, out: Match[]) => void;

function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

// ---------- e-mail ----------

function isLocalChar(c: number): boolean {
  // RFC 6531 allows UTF-8 local parts (müller@…); leaving "mü" behind would leak part of a name.
  return isAlnum(c) || c === 46 || c === 95 || c === 37 || c === 43 || c === 45 || (c > 127 && c !== 0xa0 && !(c >= 0x2000 && c <= 0x206f) && c !== 0x3000);
}
function isDomainChar(c: number): boolean {
  return isAlnum(c) || c === 46 || c === 45;
}
/** Top-level "domains" that are really file extensions (icon@2x.png, app@v1.min.js). */
const FILE_EXTENSIONS = new Set([
  'png', 'jpg', 'jpeg', 'gif', 'svg', 'webp', 'ico', 'bmp', 'js', 'mjs', 'cjs', 'ts', 'css', 'map',
  'json', 'yaml', 'yml', 'xml', 'html', 'htm', 'txt', 'log', 'gz', 'tgz', 'zip', 'tar', 'jar',
  'war', 'so', 'dll', 'exe', 'bin', 'py', 'rb', 'go', 'rs', 'java', 'class', 'lock', 'pdf', 'mp4',
  'woff', 'woff2', 'ttf', 'wasm', 'sock', 'pid', 'conf', 'ini', 'toml', 'md', 'sh', 'service', 'target', 'timer',
]);

function emailAt(t: string, at: number, atLen: number): [number, number] | undefined {
  // Bounded expansion (RFC 5321: local part <= 64, domain <= 255) keeps scans linear.
  let s = at;
  const sMin = Math.max(0, at - 64);
  while (s > sMin && isLocalChar(t.charCodeAt(s - 1))) s--;
  if (s === sMin && s > 0 && isLocalChar(t.charCodeAt(s - 1))) return undefined;
  while (s < at && (t.charCodeAt(s) === 46 || t.charCodeAt(s) === 37)) s++; // no leading dot
  if (s === at) return undefined;
  // "%40" form: a local part inside a URL query cannot itself contain '%'.
  if (atLen === 3 && t.lastIndexOf('%', at - 1) >= s) {
    const p = t.lastIndexOf('%', at - 1);
    s = p + 3;
    if (s >= at) return undefined;
  }
  if (t.charCodeAt(at - 1) === 46) return undefined;
  let e = at + atLen;
  const ds = e;
  const eMax = Math.min(t.length, e + 255);
  while (e < eMax && isDomainChar(t.charCodeAt(e))) e++;
  while (e > ds && (t.charCodeAt(e - 1) === 46 || t.charCodeAt(e - 1) === 45)) e--;
  const domain = t.slice(ds, e);
  const dot = domain.lastIndexOf('.');
  if (dot <= 0) return undefined;
  const tld = domain.slice(dot + 1);
  if (!/^[A-Za-z]{2,24}$/.test(tld) || FILE_EXTENSIONS.has(tld.toLowerCase())) return undefined;
  if (domain.includes('..') || domain.startsWith('-') || domain.startsWith('.')) return undefined;
  // ssh://git@github.com/... is URL user-info; git@github.com:org/repo.git an scp-style remote.
  if (s >= 3 && t.startsWith('://', s - 3)) return undefined;
  if (t.charCodeAt(e) === 58 && /^[A-Za-z~_]/.test(t.charAt(e + 1))) return undefined;
  return [s, e];
}

const findEmail: FindFn = (t, st, det, out) => {
  if (st.at) {
    for (let at = t.indexOf('@'); at >= 0; at = t.indexOf('@', at + 1)) {
      const m = emailAt(t, at, 1);
      if (m) out.push({ start: m[0], end: m[1], det });
    }
  }
  if (st.pct) {
    for (let at = t.indexOf('%40'); at >= 0; at = t.indexOf('%40', at + 3)) {
      const m = emailAt(t, at, 3);
      if (m) out.push({ start: m[0], end: m[1], det });
    }
  }
};

// ---------- URL credentials ----------

/** `scheme://user:password@host`: the user-info part. */
const findUrlCredentials: FindFn = (t, st, det, out) => {
  if (!st.at && !st.pct) return;
  for (let p = t.indexOf('://'); p >= 0; p = t.indexOf('://', p + 3)) {
    const s = p + 3;
    let i = s;
    let colon = -1;
    let at = -1;
    const iMax = Math.min(t.length, s + 512); // user-info longer than this is not a credential
    for (; i < iMax; i++) {
      const c = t.charCodeAt(i);
      if (c === 64) at = i; // the last '@' before the host ends the user-info
      else if (c === 58 && colon < 0) colon = i;
      else if (c === 47 || c === 63 || c === 35 || c <= 32 || c === 34 || c === 39 || c === 62 || c === 93) break;
    }
    // "user:pass@" or, as in redis://:pass@host, an empty user with a password.
    if (at > s && colon >= s && colon < at - 1) out.push({ start: s, end: at, det });
  }
};

// ---------- IPv4 ----------

const IPV4 =
  /(?<![\w.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?![\w]|\.\w)/g;
/** "Chrome/", "curl/": a product name (letters only) before a slash. */
const PRODUCT_TOKEN = /(?:^|[\s(;,"'])[A-Za-z][A-Za-z_-]*\/$/;
/** Words after which a dotted quad is a version, not an address. */
const VERSION_CONTEXT = /(?:^|[^a-z])(?:version|ver|release|build|firmware|fw|rev|revision|kernel|v)[\s=:"'_-]*$/i;

const findIPv4: FindFn = (t, st, det, out) => {
  if (st.dots < 3 || st.digits < 4 || st.versionKey) return;
  IPV4.lastIndex = 0;
  for (let m = IPV4.exec(t); m; m = IPV4.exec(t)) {
    const s = m.index;
    const before = t.slice(Math.max(0, s - 12), s);
    if (VERSION_CONTEXT.test(before)) continue;
    // Product/version tokens (Chrome/120.0.0.0), but not Java's host/10.0.0.1:port nor
    // scheme-relative URLs (//10.0.0.1).
    if (s >= 2 && t.charCodeAt(s - 1) === 47 && PRODUCT_TOKEN.test(t.slice(Math.max(0, s - 24), s))) {
      const e = s + m[0].length;
      if (!(t.charCodeAt(e) === 58 && t.charCodeAt(e + 1) >= 48 && t.charCodeAt(e + 1) <= 57)) continue;
    }
    out.push({ start: s, end: s + m[0].length, det });
  }
};

// ---------- IPv6 ----------

const IPV6_CANDIDATE = /(?<![\w:.%-])[0-9A-Fa-f:]*:[0-9A-Fa-f]*:[0-9A-Fa-f:.]*/g;

function ipv6Plausible(c: string): boolean {
  if (!isIPv6(c)) return false;
  const groups = c.split(':').filter((g) => g !== '');
  if (c === '::1') return true;
  if (groups.length < 2) return false;
  if (!c.includes('::')) {
    // EUI-64 / WWN identifiers (50:01:43:80:12:34:56:78) are eight two-digit groups.
    if (groups.every((g) => g.length === 2)) return false;
    return true;
  }
  // "dead::beef"-like two-group strings are only taken with a full first group (fe80::1).
  if (groups.length === 2 && groups[0]!.length < 4) return false;
  return true;
}

const findIPv6: FindFn = (t, st, det, out) => {
  if (st.colons < 2) return;
  IPV6_CANDIDATE.lastIndex = 0;
  for (let m = IPV6_CANDIDATE.exec(t); m; m = IPV6_CANDIDATE.exec(t)) {
    let c = m[0];
    const s = m.index;
    const after = t.charCodeAt(s + c.length);
    if (isAlnum(after) || after === 95) continue;
    while (c.endsWith('.') || (c.endsWith(':') && !c.endsWith('::'))) c = c.slice(0, -1);
    if (ipv6Plausible(c)) {
      out.push({ start: s, end: s + c.length, det });
      continue;
    }
    // "[2001:db8::1]:8080" is handled by the bracket; a bare "…::1:8080" is ambiguous, so try
    // without a trailing ":port" only when the rest is still an address.
    const lc = c.lastIndexOf(':');
    if (lc > 0 && ipv6Plausible(c.slice(0, lc))) out.push({ start: s, end: s + lc, det });
  }
};

// ---------- payment cards ----------

const CARD = /(?<![\w.+\-/])\d(?:[ -]?\d){11,18}(?![\w]|[.,\-/]\d)/g;
/** A bare digit run right after these keys is an identifier, not a card number. */
const ID_CONTEXT = /(?:id|_no|seq|offset|nanos|_ns|_ms|ts|timestamp|epoch|count|bytes|size)["']?\s*[:=]\s*["']?$/i;

const findCard: FindFn = (t, st, det, out) => {
  if (st.digits < 12) return;
  CARD.lastIndex = 0;
  for (let m = CARD.exec(t); m; m = CARD.exec(t)) {
    const raw = m[0];
    const groups = raw.split(/[ -]/).map((g) => g.length);
    const digits = raw.replace(/[ -]/g, '');
    if (digits.length < 12 || digits.length > 19) continue;
    if (!cardGroupingValid(groups)) continue;
    if (groups.length > 1 && /[ ]/.test(raw) && /-/.test(raw)) continue;
    if (!cardIssuerValid(digits) || !luhnValid(digits)) continue;
    if (groups.length === 1 && ID_CONTEXT.test(t.slice(Math.max(0, m.index - 16), m.index))) continue;
    out.push({ start: m.index, end: m.index + raw.length, det });
  }
};

// ---------- IBAN ----------

const IBAN = /(?<![\w])[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]{4}){2,7}(?: ?[A-Za-z0-9]{1,3})?(?![\w])/g;

const findIban: FindFn = (t, st, det, out) => {
  if (st.digits < 8 || t.length < 15) return;
  IBAN.lastIndex = 0;
  for (let m = IBAN.exec(t); m; m = IBAN.exec(t)) {
    const raw = m[0];
    const len = ibanLength(raw.slice(0, 2));
    if (len === undefined) continue;
    // Take exactly the country's length (the regex may have swallowed a following word).
    let n = 0;
    let end = -1;
    for (let i = 0; i < raw.length; i++) {
      if (raw.charCodeAt(i) !== 32) n++;
      if (n === len) {
        end = i + 1;
        break;
      }
    }
    if (end < 0) continue;
    if (end < raw.length && raw.charCodeAt(end) !== 32) continue;
    const compact = raw.slice(0, end).replace(/ /g, '');
    // Lower-case IBANs are accepted only in full lower case (not "de89…" inside a hex id).
    if (compact !== compact.toUpperCase() && compact !== compact.toLowerCase()) continue;
    if (!ibanChecksumValid(compact)) continue;
    out.push({ start: m.index, end: m.index + end, det });
  }
};

// ---------- phone (E.164) ----------

const findPhone: FindFn = (t, st, det, out) => {
  if (!st.plus || st.digits < 8) return;
  for (let p = t.indexOf('+'); p >= 0; p = t.indexOf('+', p + 1)) {
    const e = matchPhoneAt(t, p);
    if (e > 0) {
      out.push({ start: p, end: e, det });
      p = e - 1;
    }
  }
};

// ---------- JWT ----------

const JWT = /(?<![\w-])eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*/g;

function jwtHeaderValid(seg: string): boolean {
  if (seg.length > 2048) return false;
  const txt = Buffer.from(seg, 'base64url').toString('utf8');
  if (!txt.includes('"alg"') && !txt.includes('"typ"')) return false; // avoid JSON.parse throwing on junk
  try {
    const h = JSON.parse(txt) as unknown;
    return typeof h === 'object' && h !== null && ('alg' in h || 'typ' in h);
  } catch {
    return false;
  }
}

const findJwt: FindFn = (t, _st, det, out) => {
  if (t.indexOf('eyJ') < 0) return;
  JWT.lastIndex = 0;
  for (let m = JWT.exec(t); m; m = JWT.exec(t)) {
    if (!jwtHeaderValid(m[0].slice(0, m[0].indexOf('.')))) continue;
    out.push({ start: m.index, end: m.index + m[0].length, det });
  }
};

// ---------- bearer tokens and well-known API tokens ----------

const TOKEN_GATE = /[Bb]earer|BEARER|[Bb]asic|[Tt]oken|gh[pousr]_|github_pat_|xox[abposr]-|[sr]k_(?:live|test)_|glpat-|AIza/;
const AUTH_SCHEME = /\b(?:Bearer|Token|bearer|token|BEARER)[ ]+([A-Za-z0-9._~+/-]{12,}=*)/g;
const BASIC = /\b[Bb]asic[ ]+([A-Za-z0-9+/]{8,}={0,2})(?![\w+/=])/g;
const KNOWN_TOKEN =
  /(?<![\w-])(?:gh[pousr]_[A-Za-z0-9]{30,255}|github_pat_[A-Za-z0-9_]{40,255}|xox[abposr]-[A-Za-z0-9-]{10,200}|[sr]k_(?:live|test)_[A-Za-z0-9]{16,99}|glpat-[A-Za-z0-9_-]{20}|AIza[A-Za-z0-9_-]{35})(?![\w-])/g;

function tokenLooksSecret(tok: string): boolean {
  // A real token mixes classes; "Bearer authentication-required" does not.
  const hasDigit = /\d/.test(tok);
  const hasUpper = /[A-Z]/.test(tok);
  const hasLower = /[a-z]/.test(tok);
  return (hasDigit && (hasUpper || hasLower)) || (hasUpper && hasLower && tok.length >= 20);
}

function basicLooksSecret(b64: string): boolean {
  try {
    const s = Buffer.from(b64, 'base64').toString('utf8');
    const c = s.indexOf(':');
    return c > 0 && /^[\x20-\x7e]+$/.test(s);
  } catch {
    return false;
  }
}

const findBearer: FindFn = (t, _st, det, out) => {
  if (t.length < 16 || !TOKEN_GATE.test(t)) return;
  AUTH_SCHEME.lastIndex = 0;
  for (let m = AUTH_SCHEME.exec(t); m; m = AUTH_SCHEME.exec(t)) {
    const tok = m[1]!;
    if (!tokenLooksSecret(tok)) continue;
    const s = m.index + m[0].length - tok.length;
    out.push({ start: s, end: s + tok.length, det });
  }
  BASIC.lastIndex = 0;
  for (let m = BASIC.exec(t); m; m = BASIC.exec(t)) {
    const tok = m[1]!;
    if (!basicLooksSecret(tok)) continue;
    const s = m.index + m[0].length - tok.length;
    out.push({ start: s, end: s + tok.length, det });
  }
  KNOWN_TOKEN.lastIndex = 0;
  for (let m = KNOWN_TOKEN.exec(t); m; m = KNOWN_TOKEN.exec(t))
    out.push({ start: m.index, end: m.index + m[0].length, det });
};

// ---------- AWS keys ----------

const AWS_KEY_ID = /(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|AROA|APKA|ASCA)[A-Z0-9]{16}(?![A-Za-z0-9])/g;
const AWS_SECRET =
  /(?:aws_?secret_?(?:access_?)?key|secret_?access_?key|SecretAccessKey)["']?\s*[:=]\s*["']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])/gi;

const findAws: FindFn = (t, st, det, out) => {
  if (st.upper >= 4 && t.length >= 20) {
    AWS_KEY_ID.lastIndex = 0;
    for (let m = AWS_KEY_ID.exec(t); m; m = AWS_KEY_ID.exec(t))
      out.push({ start: m.index, end: m.index + m[0].length, det });
  }
  if (t.length >= 50 && (t.includes('ecret') || t.includes('ECRET'))) {
    AWS_SECRET.lastIndex = 0;
    for (let m = AWS_SECRET.exec(t); m; m = AWS_SECRET.exec(t)) {
      const s = m.index + m[0].length - m[1]!.length;
      out.push({ start: s, end: s + 40, det });
    }
  }
};

export const BUILTIN_FINDERS: Record<BuiltinKind, FindFn> = {
  url_credentials: findUrlCredentials,
  jwt: findJwt,
  bearer_token: findBearer,
  aws_access_key: findAws,
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
