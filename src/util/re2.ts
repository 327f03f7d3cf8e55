// RE2 regular expressions (Go's regexp/syntax with Perl flags) for JavaScript: PromQL's anchored
// matchers (compileRegex) and every Go pattern of a Collector config (translateRE2, through
// src/util/goregex.ts). The pattern is parsed as RE2 and re-emitted as a JS RegExp with the same meaning:
// fully anchored, `.` not matching only `\n`, ASCII `\d \w \s \b`, `(?i)`/`(?i:...)` regions by
// Unicode simple case folding, `(?m)`/`(?s)`/`(?U)`, named groups. What RE2 rejects is
// rejected with Go's message. Patterns that a backtracking engine could take exponential time
// on (nested or many unbounded repeats) run on a linear-time Pike VM instead, as RE2 would.

export class RegexError extends Error {
  override readonly name = 'RegexError';
  /** Valid RE2 that this translation refuses. */
  constructor(
    message: string,
    readonly unsupported = false,
  ) {
    super(message);
  }
}

/** A compiled, fully anchored matcher. */
export interface CompiledRegex {
  /** The RE2 source as written. */
  readonly source: string;
  test(s: string): boolean;
  /** Full-match submatches (index 0 = whole string), undefined for groups that did not take part. */
  exec(s: string): (string | undefined)[] | null;
  /** Named groups → group index. */
  readonly names: ReadonlyMap<string, number>;
  readonly groups: number;
}

type Node =
  | { t: 'empty' }
  | { t: 'lit'; cp: number }
  | { t: 'class'; cls: Cls }
  | { t: 'any'; nl: boolean }
  | { t: 'assert'; a: 'bol' | 'eol' | 'bot' | 'eot' | 'wb' | 'nwb' }
  | { t: 'cat'; subs: Node[] }
  | { t: 'alt'; subs: Node[] }
  | { t: 'rep'; sub: Node; min: number; max: number; greedy: boolean }
  | { t: 'cap'; sub: Node; index: number }
  | { t: 'group'; sub: Node };

/** A character class: sorted, merged inclusive ranges plus Unicode properties (`\p{...}`). */
interface Cls {
  ranges: number[];
  props: { name: string; neg: boolean }[];
  neg: boolean;
}

interface Flags {
  i: boolean;
  m: boolean;
  s: boolean;
  U: boolean;
}

const MAX_REPEAT = 1000;
const MAX_RUNE = 0x10ffff;
const cache = new Map<string, CompiledRegex>();
const CACHE_MAX = 2000;

/**
 * Compiles (and caches) an RE2 pattern as Prometheus does: the one string `^(?:pattern)$`,
 * searched (Go's MatchString), so errors read as Go's and even an unbalanced `a)|(b` means
 * what it means there.
 */
export function compileRegex(pattern: string): CompiledRegex {
  const hit = cache.get(pattern);
  if (hit) return hit;
  const p = new RE2Parser(`^(?:${pattern})$`);
  const node = p.parse();
  const compiled = risky(node) ? new PikeRegex(pattern, node, p.groups, p.names) : nativeRegex(pattern, node, p.groups, p.names);
  if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value!);
  cache.set(pattern, compiled);
  return compiled;
}

/** An RE2 pattern as JavaScript source (flag `u` required), unanchored: Go's regexp.Compile. */
export interface TranslatedRegex {
  source: string;
  /** Named groups → group index (names such as `git.sha` are not JS identifiers, so groups are numbered). */
  names: Map<string, number>;
  groups: number;
}

/** Translates an RE2 pattern as Go's regexp.Compile reads it (searched, not anchored); throws RegexError. */
export function translateRE2(pattern: string): TranslatedRegex {
  const p = new RE2Parser(pattern, true);
  const node = p.parse();
  // Groups whose names are JS identifiers keep them (m.groups); the others are found by number.
  const jsNames = new Map<number, string>();
  for (const [name, i] of p.names) if (/^[A-Za-z_$][\w$]*$/.test(name)) jsNames.set(i, name);
  return { source: emit(node, jsNames), names: p.names, groups: p.groups };
}

// ---------------------------------------------------------------- parsing

class RE2Parser {
  private i = 0;
  groups = 0;
  readonly names = new Map<string, number>();
  private readonly cps: number[];
  /** `(?<name>…)` as well as `(?P<name>…)`: Go 1.22 and later (the Collector), not Prometheus 2.42. */
  constructor(
    private readonly src: string,
    private readonly angleNames = false,
  ) {
    this.cps = [...src].map((c) => c.codePointAt(0)!);
  }

  private err(code: string, from: number, to = this.i, unsupported = false): never {
    const expr = String.fromCodePoint(...this.cps.slice(from, Math.max(from, to)));
    throw new RegexError(`error parsing regexp: ${expr ? `${code}: \`${expr}\`` : code}`, unsupported);
  }
  private peek(k = 0): number | undefined {
    return this.cps[this.i + k];
  }
  private ch(k = 0): string {
    const c = this.cps[this.i + k];
    return c === undefined ? '' : String.fromCodePoint(c);
  }

  parse(): Node {
    const flags: Flags = { i: false, m: false, s: false, U: false };
    const n = this.parseAlt(flags, 0);
    if (this.i < this.cps.length) this.err('unexpected )', 0, this.cps.length);
    return n;
  }

  private parseAlt(flags: Flags, depth: number): Node {
    const subs = [this.parseConcat(flags, depth)];
    while (this.ch() === '|') {
      this.i++;
      subs.push(this.parseConcat(flags, depth));
    }
    return subs.length === 1 ? subs[0]! : { t: 'alt', subs };
  }

  private parseConcat(flags: Flags, depth: number): Node {
    const items: Node[] = [];
    for (;;) {
      const c = this.ch();
      if (c === '' || c === '|') break;
      if (c === ')') {
        if (depth === 0) this.err('unexpected )', 0, this.cps.length);
        break;
      }
      const atom = this.parseAtom(flags, depth);
      if (atom === 'flags') continue;
      let node = atom;
      let lastRepeat = -1;
      for (;;) {
        const q = this.repeatOp(flags);
        if (!q) break;
        if (lastRepeat >= 0) this.err('invalid nested repetition operator', lastRepeat, this.i);
        lastRepeat = q.at;
        node = { t: 'rep', sub: node, min: q.min, max: q.max, greedy: q.greedy };
      }
      items.push(node);
    }
    if (items.length === 0) return { t: 'empty' };
    return items.length === 1 ? items[0]! : { t: 'cat', subs: items };
  }

  /** A repetition operator at the cursor, consumed; undefined if none. */
  private repeatOp(flags: Flags): { min: number; max: number; greedy: boolean; at: number } | undefined {
    const at = this.i;
    const c = this.ch();
    let min: number;
    let max: number;
    if (c === '*') [min, max] = [0, -1];
    else if (c === '+') [min, max] = [1, -1];
    else if (c === '?') [min, max] = [0, 1];
    else if (c === '{') {
      const r = this.braceRepeat();
      if (!r) return undefined;
      [min, max] = r;
      if (min > MAX_REPEAT || max > MAX_REPEAT || (max >= 0 && max < min)) this.err('invalid repeat count', at, this.i);
      let greedy = !flags.U;
      if (this.ch() === '?') {
        this.i++;
        greedy = !greedy;
      }
      return { min, max, greedy, at };
    } else return undefined;
    this.i++;
    let greedy = !flags.U;
    if (this.ch() === '?') {
      this.i++;
      greedy = !greedy;
    }
    return { min, max, greedy, at };
  }

  /** `{n}`, `{n,}`, `{n,m}` at the cursor (consumed), else undefined (a literal `{`). */
  private braceRepeat(): [number, number] | undefined {
    const m = /^\{(\d+)(,(\d*))?\}/.exec(String.fromCodePoint(...this.cps.slice(this.i, this.i + 16)));
    if (!m) return undefined;
    this.i += [...m[0]].length;
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === '' ? -1 : Number(m[3]);
    return [min, max];
  }

  private parseAtom(flags: Flags, depth: number): Node | 'flags' {
    const start = this.i;
    const c = this.ch();
    switch (c) {
      case '(':
        return this.parseGroup(flags, depth);
      case '[':
        return this.parseClass(flags);
      case '.':
        this.i++;
        return { t: 'any', nl: flags.s };
      case '^':
        this.i++;
        return { t: 'assert', a: flags.m ? 'bol' : 'bot' };
      case '$':
        this.i++;
        return { t: 'assert', a: flags.m ? 'eol' : 'eot' };
      case '*':
      case '+':
      case '?':
        this.i++;
        return this.err('missing argument to repetition operator', start);
      case '{': {
        const save = this.i;
        if (this.braceRepeat()) this.err('missing argument to repetition operator', save);
        this.i++;
        return this.literal('{'.codePointAt(0)!, flags);
      }
      case '\\':
        return this.parseEscapeAtom(flags);
      default:
        this.i++;
        return this.literal(this.cps[start]!, flags);
    }
  }

  private literal(cp: number, flags: Flags): Node {
    if (flags.i) {
      const orbit = foldOrbit(cp);
      if (orbit.length > 1) return { t: 'class', cls: { ranges: toRanges(orbit), props: [], neg: false } };
    }
    return { t: 'lit', cp };
  }

  private parseGroup(flags: Flags, depth: number): Node | 'flags' {
    const start = this.i;
    this.i++;
    if (this.ch() === '?') {
      const angle = this.angleNames && this.ch(1) === '<' && this.ch(2) !== '=' && this.ch(2) !== '!';
      if ((this.ch(1) === 'P' && this.ch(2) === '<') || angle) {
        this.i += angle ? 2 : 3;
        let name = '';
        while (this.ch() !== '>' && this.ch() !== '') name += this.ch(), this.i++;
        if (this.ch() !== '>') this.err('invalid named capture', start, this.cps.length);
        this.i++;
        if (!/^[A-Za-z0-9_]+$/.test(name)) this.err('invalid named capture', start);
        if (this.names.has(name)) this.err('duplicate capture group name', start);
        const index = ++this.groups;
        this.names.set(name, index);
        const sub = this.parseAlt({ ...flags }, depth + 1);
        this.closeParen();
        return { t: 'cap', sub, index };
      }
      // Flags, as Go reads them: (?flags) for the rest of the group, (?flags:re) for re.
      this.i++;
      const nf = { ...flags };
      let neg = false;
      let sawFlag = false;
      for (;;) {
        const f = this.ch();
        if (f === 'i' || f === 'm' || f === 's' || f === 'U') {
          nf[f] = !neg;
          sawFlag = true;
          this.i++;
          continue;
        }
        if (f === '-' && !neg) {
          neg = true;
          sawFlag = false;
          this.i++;
          continue;
        }
        if ((f === ':' || f === ')') && !(neg && !sawFlag)) {
          this.i++;
          if (f === ')') {
            Object.assign(flags, nf);
            return 'flags';
          }
          const sub = this.parseAlt(nf, depth + 1);
          this.closeParen();
          return { t: 'group', sub };
        }
        return this.err('invalid or unsupported Perl syntax', start, Math.min(this.i + 1, this.cps.length));
      }
    }
    const index = ++this.groups;
    const sub = this.parseAlt({ ...flags }, depth + 1);
    this.closeParen();
    return { t: 'cap', sub, index };
  }

  private closeParen(): void {
    if (this.ch() !== ')') this.err('missing closing )', 0, this.cps.length);
    this.i++;
  }

  private parseEscapeAtom(flags: Flags): Node {
    const start = this.i;
    const e = this.ch(1);
    switch (e) {
      case 'A':
        this.i += 2;
        return { t: 'assert', a: 'bot' };
      case 'z':
        this.i += 2;
        return { t: 'assert', a: 'eot' };
      case 'b':
        this.i += 2;
        return { t: 'assert', a: 'wb' };
      case 'B':
        this.i += 2;
        return { t: 'assert', a: 'nwb' };
      case 'Q': {
        this.i += 2;
        const subs: Node[] = [];
        while (this.i < this.cps.length && !(this.ch() === '\\' && this.ch(1) === 'E')) subs.push(this.literal(this.cps[this.i++]!, flags));
        if (this.ch() === '\\') this.i += 2;
        return subs.length === 0 ? { t: 'empty' } : subs.length === 1 ? subs[0]! : { t: 'cat', subs };
      }
      case 'C':
        return this.err('\\C (any byte) is not supported by this engine', start, start + 2, true);
      default:
        break;
    }
    const perl = this.perlClass(flags);
    if (perl) return { t: 'class', cls: perl };
    const uc = this.unicodeClass(flags);
    if (uc) return { t: 'class', cls: uc };
    const cp = this.escapeChar();
    return this.literal(cp, flags);
  }

  /** `\d \D \s \S \w \W` at the cursor (consumed). */
  private perlClass(flags: Flags): Cls | undefined {
    if (this.ch() !== '\\') return undefined;
    const ranges = PERL_CLASSES[this.ch(1)];
    if (!ranges) return undefined;
    const neg = this.ch(1) === this.ch(1).toUpperCase();
    this.i += 2;
    return this.finishClass(ranges, neg, flags);
  }

  private finishClass(ranges: number[], neg: boolean, flags: Flags): Cls {
    let r = ranges;
    if (flags.i) r = foldRanges(r);
    return { ranges: neg ? negate(r) : r, props: [], neg: false };
  }

  /** `\pL`, `\p{Greek}`, `\PL`, `\p{^Greek}` at the cursor (consumed). */
  private unicodeClass(flags: Flags): Cls | undefined {
    if (this.ch() !== '\\' || (this.ch(1) !== 'p' && this.ch(1) !== 'P')) return undefined;
    const start = this.i;
    let neg = this.ch(1) === 'P';
    this.i += 2;
    let name: string;
    if (this.ch() === '{') {
      const close = this.cps.indexOf('}'.codePointAt(0)!, this.i);
      if (close < 0) this.err('invalid character class range', start, this.cps.length);
      name = String.fromCodePoint(...this.cps.slice(this.i + 1, close));
      this.i = close + 1;
    } else {
      name = this.ch();
      if (name === '') this.err('invalid character class range', start);
      this.i++;
    }
    if (name.startsWith('^')) {
      neg = !neg;
      name = name.slice(1);
    }
    const js = unicodePropertyJs(name);
    if (!js) this.err('invalid character class range', start);
    if (flags.i) this.err('a Unicode class inside a case-insensitive (?i) region is not supported by this engine', start, this.i, true);
    return { ranges: [], props: [{ name: js, neg }], neg: false };
  }

  /** One escaped character (`\n`, `\x{..}`, `\101`, `\.`), cursor at the backslash. */
  private escapeChar(): number {
    const start = this.i;
    this.i++;
    const c = this.ch();
    if (c === '') this.err('trailing backslash at end of expression', start, start);
    this.i++;
    switch (c) {
      case 'a': return 7;
      case 'f': return 12;
      case 't': return 9;
      case 'n': return 10;
      case 'r': return 13;
      case 'v': return 11;
      case 'x': {
        if (this.ch() === '{') {
          const close = this.cps.indexOf('}'.codePointAt(0)!, this.i);
          const hex = close < 0 ? '' : String.fromCodePoint(...this.cps.slice(this.i + 1, close));
          if (!/^[0-9a-fA-F]+$/.test(hex) || parseInt(hex, 16) > MAX_RUNE) this.err('invalid escape sequence', start, close < 0 ? this.cps.length : close + 1);
          this.i = close + 1;
          return parseInt(hex, 16);
        }
        const hex = this.ch() + this.ch(1);
        if (!/^[0-9a-fA-F]{2}$/.test(hex)) this.err('invalid escape sequence', start, this.i + 2);
        this.i += 2;
        return parseInt(hex, 16);
      }
      default:
        break;
    }
    if (c >= '0' && c <= '7') {
      // A single non-zero digit would be a backreference, which RE2 does not have.
      if (c !== '0' && !(this.ch() >= '0' && this.ch() <= '7')) this.err('invalid escape sequence', start, this.i);
      let v = Number(c);
      for (let k = 0; k < 2 && this.ch() >= '0' && this.ch() <= '7'; k++) v = v * 8 + Number(this.ch()), this.i++;
      return v;
    }
    const cp = c.codePointAt(0)!;
    if (cp < 0x80 && !/[A-Za-z0-9]/.test(c)) return cp;
    return this.err('invalid escape sequence', start, this.i);
  }

  private parseClass(flags: Flags): Node {
    const start = this.i;
    this.i++;
    let neg = false;
    if (this.ch() === '^') {
      neg = true;
      this.i++;
    }
    let ranges: number[] = [];
    const props: { name: string; neg: boolean }[] = [];
    let first = true;
    for (;;) {
      const c = this.ch();
      if (c === '') this.err('missing closing ]', start, this.cps.length);
      if (c === ']' && !first) break;
      first = false;
      if (c === '[' && this.ch(1) === ':') {
        const named = this.posixClass(flags);
        if (named) {
          ranges = ranges.concat(named);
          continue;
        }
      }
      const uc = this.unicodeClass(flags);
      if (uc) {
        props.push(...uc.props);
        continue;
      }
      const perl = this.perlClass(flags);
      if (perl) {
        ranges = ranges.concat(perl.ranges);
        continue;
      }
      const rangeStart = this.i;
      const lo = this.classChar(start);
      let hi = lo;
      if (this.ch() === '-' && this.ch(1) !== ']' && this.ch(1) !== '') {
        this.i++;
        hi = this.classChar(start);
        if (hi < lo) this.err('invalid character class range', rangeStart, this.i);
      }
      ranges.push(lo, hi);
    }
    this.i++;
    let r = normalize(ranges);
    if (flags.i) r = foldRanges(r);
    if (props.length === 0) return { t: 'class', cls: { ranges: neg ? negate(r) : r, props: [], neg: false } };
    return { t: 'class', cls: { ranges: r, props, neg } };
  }

  private classChar(classStart: number): number {
    const c = this.ch();
    if (c === '') this.err('missing closing ]', classStart, this.cps.length);
    if (c === '\\') return this.escapeChar();
    this.i++;
    return this.cps[this.i - 1]!;
  }

  /** `[:alpha:]` / `[:^alpha:]` at the cursor (consumed), else undefined. */
  private posixClass(flags: Flags): number[] | undefined {
    const rest = String.fromCodePoint(...this.cps.slice(this.i, this.i + 12));
    const m = /^\[:(\^?)([a-z]+):\]/.exec(rest);
    if (!m) return undefined;
    const ranges = POSIX_CLASSES[m[2]!];
    if (!ranges) this.err('invalid character class range', this.i, this.i + m[0].length);
    this.i += m[0].length;
    let r = ranges;
    if (flags.i) r = foldRanges(r);
    return m[1] ? negate(r) : r;
  }
}

const r = (...pairs: string[]): number[] => pairs.flatMap((p) => [p.codePointAt(0)!, p.codePointAt(p.length - 1)!]);
const PERL_CLASSES: Record<string, number[]> = {
  d: r('09'), D: r('09'),
  s: [9, 10, 12, 13, 32, 32], S: [9, 10, 12, 13, 32, 32],
  w: r('09', 'AZ', '__', 'az'), W: r('09', 'AZ', '__', 'az'),
};
const POSIX_CLASSES: Record<string, number[]> = {
  alnum: r('09', 'AZ', 'az'), alpha: r('AZ', 'az'), ascii: [0, 0x7f], blank: [9, 9, 32, 32],
  cntrl: [0, 0x1f, 0x7f, 0x7f], digit: r('09'), graph: [0x21, 0x7e], lower: r('az'), print: [0x20, 0x7e],
  punct: [0x21, 0x2f, 0x3a, 0x40, 0x5b, 0x60, 0x7b, 0x7e], space: [9, 13, 32, 32], upper: r('AZ'),
  word: r('09', 'AZ', '__', 'az'), xdigit: r('09', 'AF', 'af'),
};

// Go's category names → JS property escapes. Go's `C` excludes unassigned code points (Cn).
const GO_CATEGORY_JS: Record<string, string> = { C: '\\p{Cc}\\p{Cf}\\p{Co}\\p{Cs}' };
const propCache = new Map<string, string | undefined>();

function unicodePropertyJs(name: string): string | undefined {
  if (propCache.has(name)) return propCache.get(name);
  let js: string | undefined;
  if (name === 'Any') js = '\\u{0}-\\u{10FFFF}';
  else if (GO_CATEGORY_JS[name]) js = GO_CATEGORY_JS[name];
  else if (/^[A-Z][a-z]?$/.test(name) && validProp(`\\p{${name}}`)) js = `\\p{${name}}`;
  else if (/^[A-Z][A-Za-z_]+$/.test(name) && validProp(`\\p{Script=${name}}`)) js = `\\p{Script=${name}}`;
  propCache.set(name, js);
  return js;
}

function validProp(p: string): boolean {
  try {
    new RegExp(`[${p}]`, 'u');
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------- ranges and case folding

function normalize(ranges: number[]): number[] {
  const pairs: [number, number][] = [];
  for (let k = 0; k < ranges.length; k += 2) pairs.push([ranges[k]!, ranges[k + 1]!]);
  pairs.sort((a, b) => a[0] - b[0]);
  const out: number[] = [];
  for (const [lo, hi] of pairs) {
    const n = out.length;
    if (n > 0 && lo <= out[n - 1]! + 1) out[n - 1] = Math.max(out[n - 1]!, hi);
    else out.push(lo, hi);
  }
  return out;
}

function negate(ranges: number[]): number[] {
  const out: number[] = [];
  let next = 0;
  for (let k = 0; k < ranges.length; k += 2) {
    if (ranges[k]! > next) out.push(next, ranges[k]! - 1);
    next = ranges[k + 1]! + 1;
  }
  if (next <= MAX_RUNE) out.push(next, MAX_RUNE);
  return out;
}

function toRanges(cps: number[]): number[] {
  return normalize(cps.flatMap((c) => [c, c]));
}

function inRanges(ranges: number[], cp: number): boolean {
  let lo = 0;
  let hi = ranges.length / 2 - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (cp < ranges[2 * mid]!) hi = mid - 1;
    else if (cp > ranges[2 * mid + 1]!) lo = mid + 1;
    else return true;
  }
  return false;
}

let orbits: Map<number, number[]> | undefined;

/** Code points equal to `cp` under Unicode simple case folding (RE2's (?i)), `cp` included. */
function foldOrbit(cp: number): number[] {
  if (cp < 0x80) {
    const c = String.fromCharCode(cp);
    const lower = c.toLowerCase();
    if (lower === c.toUpperCase()) return [cp];
    const l = lower.charCodeAt(0);
    const set = [l, l - 32];
    if (lower === 'k') set.push(0x212a);
    if (lower === 's') set.push(0x17f);
    return set.sort((a, b) => a - b);
  }
  return foldTable().get(cp) ?? [cp];
}

/** Built once, on the first non-ASCII case-insensitive character: cased code points → orbits. */
function foldTable(): Map<number, number[]> {
  if (orbits) return orbits;
  const parent = new Map<number, number>();
  const find = (x: number): number => {
    let p = parent.get(x) ?? x;
    while (p !== (parent.get(p) ?? p)) p = parent.get(p)!;
    return p;
  };
  const union = (a: number, b: number): void => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(ra, rb);
  };
  const single = (s: string): number | undefined => (s.length > 0 && [...s].length === 1 ? s.codePointAt(0) : undefined);
  for (let cp = 0; cp <= 0x1ffff; cp++) {
    if (cp >= 0xd800 && cp < 0xe000) continue;
    const s = String.fromCodePoint(cp);
    const lo = single(s.toLowerCase());
    const up = single(s.toUpperCase());
    if (lo !== undefined && lo !== cp) union(cp, lo);
    if (up !== undefined && up !== cp) union(cp, up);
  }
  const comps = new Map<number, number[]>();
  for (const cp of parent.keys()) {
    const root = find(cp);
    let list = comps.get(root);
    if (!list) comps.set(root, (list = [root]));
    if (cp !== root) list.push(cp);
  }
  orbits = new Map();
  for (const list of comps.values()) {
    // to*Case can link code points that do not fold together (ı and I): split by JS' own
    // /iu equivalence, which is Unicode simple case folding.
    let rest = [...list];
    while (rest.length > 0) {
      const head = rest[0]!;
      const re = new RegExp(`^\\u{${head.toString(16)}}$`, 'iu');
      const same = rest.filter((c) => re.test(String.fromCodePoint(c)));
      rest = rest.filter((c) => !same.includes(c));
      same.sort((a, b) => a - b);
      for (const c of same) orbits.set(c, same);
    }
  }
  return orbits;
}

function foldRanges(ranges: number[]): number[] {
  const extra: number[] = [];
  for (let k = 0; k < ranges.length; k += 2) {
    const lo = ranges[k]!;
    const hi = ranges[k + 1]!;
    // ASCII letters directly; everything else through the table's cased code points.
    for (let c = Math.max(lo, 0x41); c <= Math.min(hi, 0x7a); c++) for (const o of foldOrbit(c)) extra.push(o, o);
    if (hi >= 0x80) for (const [c, orbit] of foldTable()) if (c >= lo && c <= hi) for (const o of orbit) extra.push(o, o);
  }
  return normalize(ranges.concat(extra));
}

// ---------------------------------------------------------------- JS emission

function nullable(x: Node): boolean {
  switch (x.t) {
    case 'empty':
    case 'assert':
      return true;
    case 'rep':
      return x.min === 0 || nullable(x.sub);
    case 'cat':
      return x.subs.every(nullable);
    case 'alt':
      return x.subs.some(nullable);
    case 'cap':
    case 'group':
      return nullable(x.sub);
    default:
      return false;
  }
}

/**
 * Patterns for the Pike VM: nested or many unbounded repeats (exponential or high-degree
 * backtracking in JS), and repeats of something that can match empty (where Go's submatches
 * differ from a backtracker's).
 */
function risky(n: Node): boolean {
  let unbounded = 0;
  let nested = false;
  const walk = (x: Node, underRep: boolean): void => {
    switch (x.t) {
      case 'rep': {
        const big = x.max < 0 || x.max > 16;
        if (big) unbounded++;
        if (underRep && big) nested = true;
        if (x.max !== 1 && nullable(x.sub)) nested = true;
        walk(x.sub, underRep || x.max < 0 || x.max > 1);
        return;
      }
      case 'alt':
        if (underRep) nested = true;
        for (const s of x.subs) walk(s, underRep);
        return;
      case 'cat':
        for (const s of x.subs) walk(s, underRep);
        return;
      case 'cap':
      case 'group':
        walk(x.sub, underRep);
        return;
      default:
        return;
    }
  };
  walk(n, false);
  return nested || unbounded > 3;
}

const hex = (cp: number): string => `\\u{${cp.toString(16)}}`;

function emitChar(cp: number): string {
  const c = String.fromCodePoint(cp);
  return /[A-Za-z0-9_ ]/.test(c) ? c : hex(cp);
}

/** A JS class for `cls`. Negated multi-escape properties (Go's `C`) need a lookahead form. */
function emitClass(cls: Cls): string {
  let pos = '';
  for (let k = 0; k < cls.ranges.length; k += 2) {
    const lo = cls.ranges[k]!;
    const hi = cls.ranges[k + 1]!;
    pos += lo === hi ? hex(lo) : `${hex(lo)}-${hex(hi)}`;
  }
  const alts: string[] = [];
  for (const p of cls.props) {
    if (!p.neg) pos += p.name;
    else if (p.name.split('\\p{').length === 2) pos += p.name.replace('\\p{', '\\P{');
    else alts.push(`(?![${p.name}])[^]`);
  }
  if (alts.length === 0) return cls.neg ? `[^${pos}]` : `[${pos}]`;
  const any = `(?:[${pos}]|${alts.join('|')})`;
  return cls.neg ? `(?!${any})[^]` : any;
}

function emit(n: Node, names?: ReadonlyMap<number, string>): string {
  const sub = (x: Node) => emit(x, names);
  switch (n.t) {
    case 'empty':
      return '';
    case 'lit':
      return emitChar(n.cp);
    case 'class':
      return emitClass(n.cls);
    case 'any':
      return n.nl ? '[^]' : '[^\\n]';
    case 'assert':
      switch (n.a) {
        case 'bot': return '(?<![^])';
        case 'eot': return '(?![^])';
        case 'bol': return '(?<![^\\n])';
        case 'eol': return '(?![^\\n])';
        case 'wb': return '\\b';
        case 'nwb': return '\\B';
      }
      break;
    case 'cat':
      return n.subs.map((s) => (s.t === 'alt' ? `(?:${sub(s)})` : sub(s))).join('');
    case 'alt':
      return n.subs.map(sub).join('|');
    case 'cap':
      return names?.has(n.index) ? `(?<${names.get(n.index)}>${sub(n.sub)})` : `(${sub(n.sub)})`;
    case 'group':
      return `(?:${sub(n.sub)})`;
    case 'rep': {
      const q = n.min === 0 && n.max < 0 ? '*' : n.min === 1 && n.max < 0 ? '+' : n.min === 0 && n.max === 1 ? '?' : n.max < 0 ? `{${n.min},}` : n.min === n.max ? `{${n.min}}` : `{${n.min},${n.max}}`;
      return `(?:${sub(n.sub)})${q}${n.greedy ? '' : '?'}`;
    }
  }
  return '';
}

function nativeRegex(source: string, node: Node, groups: number, names: Map<string, number>): CompiledRegex {
  let re: RegExp;
  try {
    re = new RegExp(emit(node), 'u');
  } catch (err) {
    throw new RegexError(`cannot be expressed as a JavaScript regular expression: ${(err as Error).message}`, true);
  }
  return {
    source,
    names,
    groups,
    test: (s) => re.test(s),
    exec: (s) => {
      const m = re.exec(s);
      return m ? [...m] : null;
    },
  };
}

// ---------------------------------------------------------------- linear-time fallback (Pike VM)

type Inst =
  | { op: 'char'; test: (cp: number) => boolean }
  | { op: 'split'; x: number; y: number }
  | { op: 'jmp'; x: number }
  | { op: 'save'; n: number }
  | { op: 'assert'; a: 'bol' | 'eol' | 'bot' | 'eot' | 'wb' | 'nwb' }
  | { op: 'match' };

const MAX_PROG = 200_000;
const isWord = (cp: number | undefined): boolean => cp !== undefined && ((cp >= 48 && cp <= 57) || (cp >= 65 && cp <= 90) || cp === 95 || (cp >= 97 && cp <= 122));

class PikeRegex implements CompiledRegex {
  private readonly prog: Inst[] = [];
  constructor(
    readonly source: string,
    node: Node,
    readonly groups: number,
    readonly names: ReadonlyMap<string, number>,
  ) {
    this.push({ op: 'save', n: 0 });
    this.compile(node);
    this.push({ op: 'save', n: 1 });
    this.push({ op: 'match' });
  }

  private push(i: Inst): number {
    if (this.prog.length >= MAX_PROG) throw new RegexError('error parsing regexp: expression too large');
    this.prog.push(i);
    return this.prog.length - 1;
  }

  private compile(n: Node): void {
    switch (n.t) {
      case 'empty':
        return;
      case 'lit': {
        const cp = n.cp;
        this.push({ op: 'char', test: (c) => c === cp });
        return;
      }
      case 'class':
        this.push({ op: 'char', test: classTest(n.cls) });
        return;
      case 'any': {
        const nl = n.nl;
        this.push({ op: 'char', test: (c) => nl || c !== 10 });
        return;
      }
      case 'assert':
        this.push({ op: 'assert', a: n.a });
        return;
      case 'cat':
        for (const s of n.subs) this.compile(s);
        return;
      case 'group':
        this.compile(n.sub);
        return;
      case 'cap':
        this.push({ op: 'save', n: 2 * n.index });
        this.compile(n.sub);
        this.push({ op: 'save', n: 2 * n.index + 1 });
        return;
      case 'alt': {
        const jumps: number[] = [];
        for (let k = 0; k < n.subs.length; k++) {
          if (k < n.subs.length - 1) {
            const split = this.push({ op: 'split', x: 0, y: 0 });
            (this.prog[split] as { x: number }).x = this.prog.length;
            this.compile(n.subs[k]!);
            jumps.push(this.push({ op: 'jmp', x: 0 }));
            (this.prog[split] as { y: number }).y = this.prog.length;
          } else this.compile(n.subs[k]!);
        }
        for (const j of jumps) (this.prog[j] as { x: number }).x = this.prog.length;
        return;
      }
      case 'rep': {
        for (let k = 0; k < n.min; k++) this.compile(n.sub);
        if (n.max < 0) {
          // x*: L: split(body, out); body; jmp L
          const split = this.push({ op: 'split', x: 0, y: 0 });
          const body = this.prog.length;
          this.compile(n.sub);
          this.push({ op: 'jmp', x: split });
          this.setSplit(split, body, this.prog.length, n.greedy);
          return;
        }
        const splits: number[] = [];
        for (let k = n.min; k < n.max; k++) {
          const split = this.push({ op: 'split', x: 0, y: 0 });
          splits.push(split);
          const body = this.prog.length;
          this.compile(n.sub);
          (this.prog[split] as { x: number; y: number }).x = body;
        }
        for (const s of splits) this.setSplit(s, (this.prog[s] as { x: number }).x, this.prog.length, n.greedy);
        return;
      }
    }
  }

  private setSplit(at: number, body: number, out: number, greedy: boolean): void {
    const i = this.prog[at] as { x: number; y: number };
    if (greedy) [i.x, i.y] = [body, out];
    else [i.x, i.y] = [out, body];
  }

  test(s: string): boolean {
    return this.run(s, false) !== null;
  }

  exec(s: string): (string | undefined)[] | null {
    const caps = this.run(s, true);
    if (!caps) return null;
    const cps = [...s];
    const out: (string | undefined)[] = [];
    for (let g = 0; g <= this.groups; g++) {
      const a = caps[2 * g]!;
      const b = caps[2 * g + 1]!;
      out.push(a >= 0 && b >= 0 ? cps.slice(a, b).join('') : undefined);
    }
    return out;
  }

  /** Leftmost-first (Perl) search as Go runs it; capture offsets in code points. */
  private run(s: string, wantCaps: boolean): number[] | null {
    const cps = [...s].map((c) => c.codePointAt(0)!);
    const slots = wantCaps ? 2 * (this.groups + 1) : 2;
    type Thread = { pc: number; caps: number[] };
    let clist: Thread[] = [];
    let nlist: Thread[] = [];
    // seen[pc] = pos + 1 once pc has a thread for position pos.
    const seen = new Int32Array(this.prog.length);
    const add = (list: Thread[], pc: number, caps: number[], pos: number): void => {
      const stack: Thread[] = [{ pc, caps }];
      while (stack.length > 0) {
        const th = stack.pop()!;
        if (seen[th.pc] === pos + 1) continue;
        seen[th.pc] = pos + 1;
        const inst = this.prog[th.pc]!;
        switch (inst.op) {
          case 'jmp':
            stack.push({ pc: inst.x, caps: th.caps });
            break;
          case 'split':
            stack.push({ pc: inst.y, caps: th.caps });
            stack.push({ pc: inst.x, caps: th.caps });
            break;
          case 'save':
            if (inst.n < slots) {
              const c = th.caps.slice();
              c[inst.n] = pos;
              stack.push({ pc: th.pc + 1, caps: c });
            } else stack.push({ pc: th.pc + 1, caps: th.caps });
            break;
          case 'assert':
            if (assertAt(inst.a, cps, pos)) stack.push({ pc: th.pc + 1, caps: th.caps });
            break;
          default:
            list.push(th);
        }
      }
    };
    let matched: number[] | null = null;
    for (let pos = 0; pos <= cps.length; pos++) {
      // A new attempt starting here, after (lower priority than) every earlier start.
      if (!matched) add(clist, 0, new Array<number>(slots).fill(-1), pos);
      if (clist.length === 0) break;
      const c = cps[pos];
      for (const th of clist) {
        const inst = this.prog[th.pc]!;
        if (inst.op === 'match') {
          matched = th.caps;
          break;
        }
        if (inst.op === 'char' && c !== undefined && inst.test(c)) add(nlist, th.pc + 1, th.caps, pos + 1);
      }
      [clist, nlist] = [nlist, clist];
      nlist.length = 0;
    }
    return matched;
  }
}

function assertAt(a: 'bol' | 'eol' | 'bot' | 'eot' | 'wb' | 'nwb', cps: number[], pos: number): boolean {
  switch (a) {
    case 'bot': return pos === 0;
    case 'eot': return pos === cps.length;
    case 'bol': return pos === 0 || cps[pos - 1] === 10;
    case 'eol': return pos === cps.length || cps[pos] === 10;
    case 'wb': return isWord(cps[pos - 1]) !== isWord(cps[pos]);
    case 'nwb': return isWord(cps[pos - 1]) === isWord(cps[pos]);
  }
}

function classTest(cls: Cls): (cp: number) => boolean {
  if (cls.props.length > 0) {
    const re = new RegExp(`^${emitClass(cls)}$`, 'u');
    return (cp) => re.test(String.fromCodePoint(cp));
  }
  const ranges = cls.ranges;
  const neg = cls.neg;
  return (cp) => inRanges(ranges, cp) !== neg;
}
