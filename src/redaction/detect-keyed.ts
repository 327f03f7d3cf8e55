// Secrets named by their key: `password=…`, `pwd: …`, `"db_password":"…"`, `--password=…`,
// `PGPASSWORD=…`, `<password>…</password>`, `Password:x1` in struct dumps, `curl -u user:…`,
// `SET PASSWORD … = '…'`, `IDENTIFIED BY '…'`, `?access_token=…`, `api_key=…`, `X-Api-Key: …`,
// `"client_secret":"…"`, `Authorization: <raw token>`. Only the value is matched. The key decides
// the kind by its last word (db_password -> password, x-api-key -> api key), so that keys which
// merely mention a secret (password_min_length, token_type, password_hash) are left alone, and
// values that are placeholders (***, [REDACTED], null, $1, ${VAR}) or paths (sudo's PWD=/home/x)
// are not secrets.
import type { FindFn, Match } from './text.js';

/** Where a key may name a secret: the scan starts from these words, not from every letter. */
const SECRET_WORD = /pass|pwd|secret|token|key|auth|credential|sig|kennwort|mdp|pw/gi;
/** After a key: optional closing quote, separator, value (quoted or bare). */
const AFTER_KEY = /(["']?)(\s*(?:=>|->|[:=])\s*|\s+(?=["']))(?:"((?:[^"\\]|\\.){1,256})"|'([^']{1,256})'|([^\s"'&,;)}\]<>]{1,256}))/y;
/** A key followed by a space and a bare value (checked for looking like a token). */
const AFTER_SPACE = /[ ]([A-Za-z0-9_\-+/.]{16,256}={0,2})(?![\w=:])/y;
/** `--password value` (a CLI flag and its argument). */
const FLAG = /(?<![\w-])--(password|passwd|pass|pwd|token|api-key|apikey|secret|client-secret)\s+(?!-)([^\s"']{3,256})/gi;
/** `curl -u user:password`, `--user=user:password`, and auditd's `a1="-u" a2="user:password"`. */
const CLI_USER = /(?<![\w-])(?:-u|--user)(?:=|\s+|"\s+a\d+=)["']?([^\s"':]{1,64}):([^\s"']{3,256})/g;
/** XML element content: `<password>…</password>`, `<wsse:Password>…</wsse:Password>`. */
const XML_VALUE = /^>([^<]{1,256})<\//;
/** A bare `Key:value` (Go's %+v, Ruby inspect) is an assignment when the value looks made up. */
const MADE_UP = /[\d\W_]|.[A-Z]/;
/** SQL: SET PASSWORD [FOR u] = '…', [ALTER|CREATE] USER … IDENTIFIED BY '…', WITH PASSWORD '…'. */
const SQL =
  /\b(?:PASSWORD\s*(?:FOR\s+\S+\s*)?=\s*(?:PASSWORD\s*\(\s*)?|IDENTIFIED\s+(?:WITH\s+\S+\s+)?BY\s+(?:PASSWORD\s+)?|(?:WITH\s+|ENCRYPTED\s+|UNENCRYPTED\s+)PASSWORD\s+)'([^']{1,256})'/gi;

const SQL_GATE = /password|identified/i;
/** A login call with two string literals, `login('user', 'pw')`, `simple_bind_s("cn=x", "pw")`:
 *  the second argument of these APIs (smtplib/imaplib/ftplib login, LDAP bind_s) is the password. */
const LOGIN_CALL = /(?<![\w$])(?:login|bind_s|simple_bind_s)\(\s*(["'])[^"'\n]{1,256}\1\s*,\s*(["'])([^"'\n]{1,256})\2\s*\)/dg;

function isKeyChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 45 || c === 46;
}

const PASSWORD_SUFFIX = /(?:password|passwd|passphrase|passwort|kennwort)$/;
const PASSWORD_WORDS = new Set(['password', 'passwd', 'passphrase', 'pwd', 'pass', 'passcode', 'pw', 'kennwort', 'passwort', 'motdepasse', 'mdp']);
// Session ids are left out: "sessionid" names web cookies and ZooKeeper's 64-bit counters alike.
const TOKEN_WORDS = new Set(['token', 'secret', 'apikey', 'credential', 'credentials', 'jsessionid', 'phpsessid', 'authorization', 'signature', 'sig']);
/** `<word> key` pairs that name a secret key (api key, access key, ...); "key" alone does not. */
const KEY_QUALIFIERS = new Set(['api', 'access', 'secret', 'private', 'auth', 'signing', 'encryption', 'master', 'client', 'app', 'license', 'subscription']);

/** Words of a key: db_password -> [db, password], dbPassword -> [db, password], X-Api-Key -> [x, api, key]. */
function keyWords(key: string): string[] {
  return key
    .replace(/^-+/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[\s_.-]+/)
    .filter((w) => w);
}

export type KeyedKind = 'password' | 'api_key';

/** What a key names: a password, an API key/token/secret, or nothing secret. */
export function keyKind(key: string): KeyedKind | undefined {
  const w = keyWords(key);
  // "credential_value", "password_value": a trailing "value" names the secret's value.
  const valued = w.length >= 2 && (w[w.length - 1] === 'value' || w[w.length - 1] === 'val');
  if (valued) w.pop();
  const last = w[w.length - 1];
  if (!last) return undefined;
  if (PASSWORD_WORDS.has(last)) return 'password';
  // One word in one case: PGPASSWORD, dbpassword, ADMINPASSWD (not "bypass": the long words only).
  if (PASSWORD_SUFFIX.test(last)) return 'password';
  // The value of a credential, in a login event, is what the user typed.
  if (valued && (last === 'credential' || last === 'credentials')) return 'password';
  if (TOKEN_WORDS.has(last)) return 'api_key';
  // Vault AppRole's secret_id is the login credential (role_id beside it is not); AWS's SecretId
  // names a secret instead, an ARN or a path, which valueIsSecret leaves.
  if (last === 'id' && w.length >= 2 && w[w.length - 2] === 'secret') return 'api_key';
  if (last === 'key' && w.length >= 2 && KEY_QUALIFIERS.has(w[w.length - 2]!)) return 'api_key';
  return undefined;
}

const PLACEHOLDER = /^(?:\*+|x{3,}|X{3,}|#+|\.{3,}|-+|_+|\?+|<[^>]*>|\[[^\]]*\]|\{[^}]*\}|\$\{[^}]*\}?|\$\d+|%[sd]|:\w+|null|none|nil|undefined|true|false|yes|no|n\/a|empty|redacted|filtered|hidden|masked|secret|password|changeme|\(?(?:redacted|filtered|hidden)\)?)$/i;
const AUTH_SCHEME = /^(?:bearer|basic|token|digest|negotiate|ntlm|hmac|aws4-hmac-sha256|signature)$/i;

function valueIsSecret(kind: KeyedKind, key: string, value: string): boolean {
  if (PLACEHOLDER.test(value) || PLACEHOLDER.test(value.replace(/^[[<({]+|[\]>)}]+$/g, ''))) return false;
  // sudo's PWD=/home/x: a path, not a secret.
  if (value.charCodeAt(0) === 47 || value.startsWith('~/')) return false;
  if (kind === 'password') return value.length >= 3;
  if (value.length < 8) return false;
  // secret_id: a credential is random (a UUID, a token: 16+ characters, letters and digits, no
  // ':' or '/'); a name or an ARN (AWS SecretId) is not.
  if (keyWords(key).at(-1) === 'id') return value.length >= 16 && /\d/.test(value) && /[a-z]/i.test(value) && !/[:/]/.test(value);
  if (/^\d+$/.test(value) && value.length < 16) return false; // sid=42, token=1234567
  // Authorization with a scheme is the bearer detector's (it knows the token formats).
  if (keyWords(key).at(-1) === 'authorization' && AUTH_SCHEME.test(value)) return false;
  return true;
}

interface Found {
  start: number;
  end: number;
  kind: KeyedKind;
}

/** Every keyed secret in `t`, both kinds (the two detectors share one scan per string). */
function scanKeyed(t: string): Found[] {
  const out: Found[] = [];
  SECRET_WORD.lastIndex = 0;
  for (let w = SECRET_WORD.exec(t); w; w = SECRET_WORD.exec(t)) {
    // The whole key around the word: [\w.-]+, at most 64 characters.
    let ks = w.index;
    while (ks > 0 && w.index - ks < 64 && isKeyChar(t.charCodeAt(ks - 1))) ks--;
    let ke = w.index + w[0].length;
    while (ke < t.length && ke - ks < 64 && isKeyChar(t.charCodeAt(ke))) ke++;
    SECRET_WORD.lastIndex = ke;
    // A key starts with a letter (or a CLI "--").
    let k0 = ks;
    while (k0 < ke && t.charCodeAt(k0) === 45) k0++;
    const c0 = t.charCodeAt(k0);
    if (!((c0 >= 65 && c0 <= 90) || (c0 >= 97 && c0 <= 122))) continue;
    let key = t.slice(ks, ke);
    // "api key", "access token", "client secret" written as two words.
    if (t.charCodeAt(ks - 1) === 32) {
      let ps = ks - 1;
      while (ps > 0 && isKeyChar(t.charCodeAt(ps - 1)) && ks - ps < 16) ps--;
      const two = `${t.slice(ps, ks - 1)}_${key}`;
      if (ps < ks - 1 && keyKind(two) && !keyKind(key)) key = two;
    }
    const kind = keyKind(key);
    if (!kind) continue;
    if (t.charCodeAt(ke) === 62) {
      // An XML element named by the key (optionally namespaced): its text is the value.
      const open = t.charCodeAt(ks - 1) === 60 || (t.charCodeAt(ks - 1) === 58 && /<[\w.-]{1,32}:$/.test(t.slice(Math.max(0, ks - 34), ks)));
      const x = open ? XML_VALUE.exec(t.slice(ke, ke + 260)) : null;
      if (x && valueIsSecret(kind, key, x[1]!.trim())) {
        const start = ke + 1 + (x[1]!.length - x[1]!.trimStart().length);
        out.push({ start, end: start + x[1]!.trim().length, kind });
        SECRET_WORD.lastIndex = start + x[1]!.length;
      }
      continue;
    }
    AFTER_KEY.lastIndex = ke;
    const m = AFTER_KEY.exec(t);
    if (!m) {
      // No separator: a key in prose followed by a token-like value ("via api key
      // 2XXeBcnG-BkaN..."): 16+ characters mixing letters and digits.
      AFTER_SPACE.lastIndex = ke;
      const sp = kind === 'api_key' ? AFTER_SPACE.exec(t) : null;
      const v = sp?.[1];
      if (v && v.length >= 16 && /\d/.test(v) && /[A-Za-z]/.test(v) && valueIsSecret(kind, key, v)) {
        const start = ke + sp![0].length - v.length;
        out.push({ start, end: start + v.length, kind });
        SECRET_WORD.lastIndex = start + v.length;
      }
      continue;
    }
    const quoted = m[3] !== undefined || m[4] !== undefined;
    // "key 'value'" without a separator only for password keys (SQL: PASSWORD 'x'); a bare
    // "key:value" with no space is a name (pam_unix(passwd:chauthtok)), not an assignment.
    const sep = m[2]!;
    // "password= HTTP/1.1", "ruser= rhost=": '=' on the key and a space after it is an empty value.
    if (!quoted && !m[1] && /^=\s+$/.test(sep)) continue;
    if (sep === ':' && !quoted && !m[1]) {
      // Unless the key stands free (after a space, '{' or ',') and the value looks made up:
      // Password:Esn*OtaVSod in a struct dump, but not pam_unix(passwd:chauthtok).
      const b = ks === 0 ? 32 : t.charCodeAt(ks - 1);
      if (!(b === 32 || b === 123 || b === 44) || !MADE_UP.test(m[5] ?? '')) continue;
    }
    // "key 'value'" without a separator only for password keys (SQL: PASSWORD 'x').
    if (!sep.trim() && (kind !== 'password' || !quoted)) continue;
    let value = m[3] ?? m[4] ?? m[5]!;
    // A bare value ends before sentence punctuation ("password=x." at the end of a message).
    if (!quoted) value = value.replace(/[.:]+$/, (p) => (value.length - p.length >= 3 ? '' : p));
    if (!valueIsSecret(kind, key, value)) continue;
    const start = ke + m[1]!.length + sep.length + (quoted ? 1 : 0);
    out.push({ start, end: start + value.length, kind });
    SECRET_WORD.lastIndex = start + value.length;
  }
  if (t.indexOf('--') >= 0) {
    FLAG.lastIndex = 0;
    for (let m = FLAG.exec(t); m; m = FLAG.exec(t)) {
      const kind = keyKind(m[1]!);
      if (!kind || !valueIsSecret(kind, m[1]!, m[2]!)) continue;
      const start = m.index + m[0].length - m[2]!.length;
      out.push({ start, end: start + m[2]!.length, kind });
    }
  }
  if (t.indexOf('-u') >= 0) {
    CLI_USER.lastIndex = 0;
    for (let m = CLI_USER.exec(t); m; m = CLI_USER.exec(t)) {
      if (!valueIsSecret('password', 'password', m[2]!)) continue;
      const start = m.index + m[0].length - m[2]!.length;
      out.push({ start, end: start + m[2]!.length, kind: 'password' });
    }
  }
  if (t.indexOf('login(') >= 0 || t.indexOf('bind_s(') >= 0) {
    LOGIN_CALL.lastIndex = 0;
    for (let m = LOGIN_CALL.exec(t); m; m = LOGIN_CALL.exec(t)) {
      const value = m[3]!;
      if (!valueIsSecret('password', 'password', value)) continue;
      const [start, end] = m.indices![3]!;
      out.push({ start, end, kind: 'password' });
    }
  }
  SQL.lastIndex = 0;
  if (SQL_GATE.test(t))
    for (let m = SQL.exec(t); m; m = SQL.exec(t)) {
      const value = m[1]!;
      if (!valueIsSecret('password', 'password', value)) continue;
      const start = m.index + m[0].length - value.length - 1;
      out.push({ start, end: start + value.length, kind: 'password' });
    }
  return out;
}

// The scanner calls the password and then the api_key finder on the same string: scan once.
let lastText: string | undefined;
let lastFound: Found[] = [];

function finder(kind: KeyedKind): FindFn {
  return (t, _st, det, out) => {
    if (t.length < 6) return;
    if (t !== lastText) {
      lastText = t;
      lastFound = scanKeyed(t);
    }
    for (const f of lastFound) if (f.kind === kind) out.push({ start: f.start, end: f.end, det } as Match);
  };
}

export const findPassword: FindFn = finder('password');
export const findApiKey: FindFn = finder('api_key');
