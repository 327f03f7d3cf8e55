// E-mail addresses, URL credentials and IP addresses.
import { isIPv6 } from 'node:net';
import { isAlnum, type FindFn } from './text.js';

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

/** Message-ID, In-Reply-To, References: ids shaped like addresses (RFC 5322 msg-id), no one's mailbox. */
const MESSAGE_ID_BEFORE = /(?:message[-_ ]?id|msg[-_]?id|in-reply-to|references)["']?\s*[:=]\s*["']?<?$/i;

export const findEmail: FindFn = (t, st, det, out) => {
  if (st.at) {
    for (let at = t.indexOf('@'); at >= 0; at = t.indexOf('@', at + 1)) {
      const m = emailAt(t, at, 1);
      if (m && MESSAGE_ID_BEFORE.test(t.slice(Math.max(0, m[0] - 16), m[0]))) continue;
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
export const findUrlCredentials: FindFn = (t, st, det, out) => {
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
      else if (c === 47 || c === 63 || c <= 32 || c === 34 || c === 39 || c === 62 || c === 93) break;
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

/** Words after which a dotted quad is an object identifier (1.3.6.1, 2.5.4.3), not an address. */
const OID_CONTEXT = /(?:^|[^a-z])(?:oid|object[ _-]?id|mib|snmp)["']?\s*[:=]?\s*["']?$/i;

/** Loopback, unspecified, broadcast and netmasks identify no person. */
function ipv4Anonymous(q: string): boolean {
  return q.startsWith('127.') || q === '0.0.0.0' || q.startsWith('255.');
}

/** `192.168.4.0/24`: a network address (host bits zero under its prefix) names a network, not a host. */
function isNetworkAddress(q: string, t: string, e: number): boolean {
  if (t.charCodeAt(e) !== 47) return false;
  const m = /^\/(\d{1,2})(?!\d)/.exec(t.slice(e, e + 4));
  if (!m) return false;
  const bits = Number(m[1]);
  if (bits >= 32) return false;
  const n = q.split('.').reduce((a, o) => a * 256 + Number(o), 0);
  return n % 2 ** (32 - bits) === 0;
}

export const findIPv4: FindFn = (t, st, det, out) => {
  if (st.dots < 3 || st.digits < 4 || st.versionKey) return;
  IPV4.lastIndex = 0;
  for (let m = IPV4.exec(t); m; m = IPV4.exec(t)) {
    const s = m.index;
    if (ipv4Anonymous(m[0]) || isNetworkAddress(m[0], t, s + m[0].length)) continue;
    const before = t.slice(Math.max(0, s - 12), s);
    if (VERSION_CONTEXT.test(before) || OID_CONTEXT.test(before)) continue;
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

/** Loopback (::1), unspecified (::) and IPv4-mapped loopback identify no person. */
function ipv6Anonymous(c: string): boolean {
  const l = c.toLowerCase();
  return l === '::1' || l === '::' || l === '0:0:0:0:0:0:0:1' || l.startsWith('::ffff:127.') || l === '::ffff:0.0.0.0';
}

function ipv6Plausible(c: string): boolean {
  if (!isIPv6(c)) return false;
  const groups = c.split(':').filter((g) => g !== '');
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

export const findIPv6: FindFn = (t, st, det, out) => {
  if (st.colons < 2) return;
  IPV6_CANDIDATE.lastIndex = 0;
  for (let m = IPV6_CANDIDATE.exec(t); m; m = IPV6_CANDIDATE.exec(t)) {
    let c = m[0];
    const s = m.index;
    const after = t.charCodeAt(s + c.length);
    if (isAlnum(after) || after === 95) continue;
    while (c.endsWith('.') || (c.endsWith(':') && !c.endsWith('::'))) c = c.slice(0, -1);
    if (ipv6Anonymous(c)) continue;
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
