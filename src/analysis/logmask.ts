// Generic masking of variable tokens for the template miner: rules that hold in the logs of any
// system, instead of per-system regexes. A whitespace token is a variable when it
//  - holds a digit (numbers, sizes, durations, ids, hex, IPs, ports, versions, timestamps),
//  - is a month or weekday name (timestamp parts),
//  - is a path (/var/log/x, ./x, ~/x, C:\x), a URL (scheme://...), a host name (labels ending in
//    a top-level domain: www.example.com), or a file name with a common extension (app.exe);
// and `key=value` / `key:value` keep the key and mask the value (`user=<*>`), so that the key,
// which names the variable, stays part of the template; a quoted value (`tag="View Lock"`) is
// one value however many words it has.

export const WILDCARD = '<*>';

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function hasDigit(t: string): boolean {
  for (let i = 0; i < t.length; i++) if (isDigit(t.charCodeAt(i))) return true;
  return false;
}

const CALENDAR = new Set(['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun', 'Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']);

/** Generic TLDs and the country codes most seen in logs; a dotted name ending in one is a host. */
const TLDS = new Set(
  (
    'com net org edu gov mil int io info biz name pro aero coop museum mobi app dev cloud local lan localdomain internal intranet corp home arpa ' +
    'ac ad ae ar at au be bg br by ca ch cl cn co cz de dk ee es eu fi fr gr hk hr hu id ie il in ir is it jp kr kz lt lu lv ma mx my nl no nz om ph pk pl pt ro rs ru sa se sg si sk su th tr tw ua uk us vn za'
  ).split(' '),
);

const EXTENSIONS = new Set(
  'exe dll sys so dylib jar war class py pyc js mjs ts rb go java c h cpp log txt out err conf cfg ini yaml yml json xml html htm css csv tsv sh bat ps1 bin dat db tmp bak lock pid sock gz tgz zip tar bz2 xz rpm deb iso img map pdf png jpg gif svg ico'.split(' '),
);

/** Leading and trailing punctuation that wraps a value in prose: (x), [x], "x", x, x; x. */
function core(t: string): [number, number] {
  let s = 0;
  let e = t.length;
  while (s < e && isOpener(t.charCodeAt(s))) s++;
  while (e > s && isCloser(t.charCodeAt(e - 1))) e--;
  return [s, e];
}

/** ( [ { < " ' */
function isOpener(c: number): boolean {
  return c === 40 || c === 91 || c === 123 || c === 60 || c === 34 || c === 39;
}

/** ) ] } > " ' , ; . : ! ? */
function isCloser(c: number): boolean {
  return c === 41 || c === 93 || c === 125 || c === 62 || c === 34 || c === 39 || c === 44 || c === 59 || c === 46 || c === 58 || c === 33 || c === 63;
}

function isLabelChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || isDigit(c) || c === 45 || c === 95;
}

/** a.b.tld with alphanumeric labels. */
function isHostName(w: string): boolean {
  const dot = w.lastIndexOf('.');
  if (dot <= 0 || dot === w.length - 1) return false;
  if (!TLDS.has(w.slice(dot + 1).toLowerCase())) return false;
  for (let i = 0; i < w.length; i++) {
    const c = w.charCodeAt(i);
    if (c === 46) {
      if (i === 0 || w.charCodeAt(i - 1) === 46) return false;
    } else if (!isLabelChar(c)) return false;
  }
  return true;
}

/** Three or more dotted labels (a.b.c): host names, package and class names (com.android.x). */
function isDottedName(w: string): boolean {
  let dots = 0;
  for (let i = 0; i < w.length; i++) {
    const c = w.charCodeAt(i);
    if (c === 46) {
      if (i === 0 || i === w.length - 1 || w.charCodeAt(i - 1) === 46) return false;
      dots++;
    } else if (!isLabelChar(c)) return false;
  }
  return dots >= 2;
}

function isFileName(w: string): boolean {
  const dot = w.lastIndexOf('.');
  if (dot <= 0 || dot === w.length - 1) return false;
  if (!EXTENSIONS.has(w.slice(dot + 1).toLowerCase())) return false;
  for (let i = 0; i < dot; i++) {
    const c = w.charCodeAt(i);
    if (!isLabelChar(c) && c !== 46) return false;
  }
  return true;
}

function isPath(w: string): boolean {
  const c0 = w.charCodeAt(0);
  if (c0 === 47) return w.length > 1; // "/x"
  if ((c0 === 126 || c0 === 46) && w.includes('/')) return true; // "~/x", "./x", "../x"
  if (w.length > 2 && w.charCodeAt(1) === 58 && w.charCodeAt(2) === 92) return true; // "C:\"
  if (w.startsWith('\\\\')) return true; // UNC
  return w.includes('://');
}

function isKeyStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}

/**
 * The masked form of one token: WILDCARD, `key=<*>` / `key:<*>`, or the token itself.
 */
export function maskToken(t: string): string {
  // One scan for the characters any rule needs; most tokens are plain words and leave here.
  let f = 0;
  for (let i = 0; i < t.length; i++) f |= charFlag(t.charCodeAt(i));
  return maskFlagged(t, f);
}

const F_DIGIT = 1;
const F_DOT = 2;
const F_OTHER = 4; // '/', '\\', '=', ':'

function charFlag(c: number): number {
  if (c >= 48 && c <= 58) return c === 58 ? F_OTHER : F_DIGIT;
  if (c === 46) return F_DOT;
  return c === 47 || c === 92 || c === 61 ? F_OTHER : 0;
}

/** maskToken with the character flags already known (tokenize computes them while it splits). */
function maskFlagged(t: string, f: number): string {
  const digit = (f & F_DIGIT) !== 0;
  const dot = (f & F_DOT) !== 0;
  const other = (f & F_OTHER) !== 0;
  if (digit) return keyValue(t) ?? WILDCARD; // key=12 keeps its key
  if (!dot && !other) {
    if (t.length === 3) return CALENDAR.has(t) ? WILDCARD : t;
    if (t.length > 6 || t.length < 4) return t;
  }
  const [s, e] = core(t);
  const w = s === 0 && e === t.length ? t : t.slice(s, e);
  if (w.length === 0) return t;
  if (w.length === 3 && CALENDAR.has(w)) return WILDCARD;
  if (isPath(w) || isHostName(w) || isDottedName(w) || isFileName(w)) return WILDCARD;
  return other ? (keyValue(t) ?? t) : t;
}

/** `key=value` or `key:value` with an identifier key and a non-empty value: `key=<*>`. */
function keyValue(t: string): string | undefined {
  const [s] = core(t);
  if (!isKeyStart(t.charCodeAt(s))) return undefined;
  for (let i = s + 1; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c === 61 || c === 58) {
      // The value must be there and must not be a URL's "//" or a C++ "::" scope.
      if (i + 1 >= t.length) return undefined;
      const n = t.charCodeAt(i + 1);
      if (c === 58 && (n === 58 || n === 47)) return undefined;
      // host:port, a.b.c=x, R25-M0-N7-C:J12 (a digit with letters after it, a location or
      // id rather than a name; md5=, ipv4= end in their digits): the "key" is itself a variable.
      const key = t.slice(s, i);
      if (isHostName(key) || isDottedName(key) || /\d[^\d]*[A-Za-z]/.test(key)) return WILDCARD;
      return t.slice(0, i + 1) + WILDCARD;
    }
    if (!(isKeyStart(c) || isDigit(c) || c === 46 || c === 45)) return undefined;
  }
  return undefined;
}

/** Units that, after a number, belong to it: "3 sec", "<1 sec", "2048 MB", "5.2 KB)", "93.0 B,". */
const UNITS = new Set(
  'ns us ms sec secs second seconds min mins minute minutes hr hrs hour hours day days kb mb gb tb kib mib gib tib bytes byte'.split(' '),
);

function isUnit(t: string): boolean {
  const [s, e] = core(t);
  // "93.0 B," (bytes): the one single-letter unit; a lone lower-case letter is too often a word.
  if (e - s === 1) return t.charCodeAt(s) === 66;
  if (e - s < 2 || e - s > 7) return false;
  return UNITS.has(t.slice(s, e).toLowerCase());
}

/** Characters a quoted value after `key=` may span (a closing quote further away is another's). */
const MAX_QUOTED = 256;

/** Whitespace tokens, masked; a unit after a number is part of the number's variable; a quoted
 *  value after `key=` / `key:` is one variable however many words it has. */
export function tokenize(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  const n = line.length;
  let prevVar = false;
  while (i < n) {
    while (i < n && line.charCodeAt(i) <= 32) i++;
    const s = i;
    let f = 0;
    for (let c = line.charCodeAt(i); i < n && c > 32; c = line.charCodeAt(++i)) f |= charFlag(c);
    if (i === s) break;
    const raw = line.slice(s, i);
    if (prevVar && isUnit(raw)) {
      prevVar = false;
      continue;
    }
    const m = maskFlagged(raw, f);
    if (f & F_OTHER && m.length > WILDCARD.length && m.endsWith(WILDCARD)) {
      // key="a quoted value with spaces" (Android's tag="View Lock"): the key names one value,
      // however many words it has, so the words up to the closing quote are that value.
      const open = m.length - WILDCARD.length;
      const q = raw[open];
      if ((q === '"' || q === "'") && raw.indexOf(q, open + 1) < 0) {
        const close = line.indexOf(q, i);
        if (close > 0 && close - i <= MAX_QUOTED) {
          i = close;
          while (i < n && line.charCodeAt(i) > 32) i++;
        }
      }
    }
    prevVar = m === WILDCARD;
    out.push(m);
  }
  return out;
}

/**
 * An upper-case word (NEW, RUNNING, GET) or, with `capitalised`, a capitalised one (Started,
 * Paused): an enumeration value or event name, kept apart in templates. Variable words (user,
 * host and file names) are rarely written so.
 */
export function isUpperWord(t: string, capitalised = false): boolean {
  let upper = 0;
  let lower = 0;
  let first = -1;
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c >= 97 && c <= 122) lower++;
    else if (c >= 65 && c <= 90) {
      if (first < 0) first = upper + lower;
      upper++;
    } else if (first < 0 && upper + lower === 0) continue;
  }
  if (lower === 0) return upper >= 2;
  return capitalised && upper === 1 && first === 0 && lower >= 2;
}
