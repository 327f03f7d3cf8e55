// Credentials: JWTs, bearer/basic tokens and known API token formats, AWS keys.
import type { FindFn } from './text.js';

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

export const findJwt: FindFn = (t, _st, det, out) => {
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

export const findBearer: FindFn = (t, _st, det, out) => {
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
  /(?:aws_?secret_?(?:access_?)?key|secret_?access_?key|SecretAccessKey)["']?(?:\s*[:=]\s*|\s+)["']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])/gi;

export const findAws: FindFn = (t, st, det, out) => {
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
