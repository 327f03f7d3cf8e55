// Applies detectors and key rules to strings, attribute maps and structured values.
// It mutates maps in place (processors own their batch) and counts redactions per detector.
import { createHmac } from 'node:crypto';
import type { AnyValue, Attributes, KvList } from '../pdata/types.js';
import type { Match } from './detectors.js';
import { keyMatcher, type KeyMatcher } from './keys.js';
import { truncateIPv4, truncateIPv6 } from './ip.js';
import { Scanner, type DetectorSpec } from './scanner.js';

export type Action = 'mask' | 'hash' | 'truncate_ip' | 'drop';
export type KeyAction = 'mask' | 'hash' | 'drop';

export interface RedactorOptions {
  detectors: { spec: DetectorSpec; action: Action }[];
  /** Replacement text for `mask`. */
  mask: string;
  /** HMAC-SHA256 key; required when any action is `hash`. */
  hashKey?: string;
  /** If non-empty: values of top-level attribute keys not listed get `keyAction` (fail closed). */
  allowKeys?: readonly string[];
  /** Keys (at any depth) whose whole value gets `keyAction`. */
  blockKeys?: readonly string[];
  /** Keys never touched. */
  ignoredKeys?: readonly string[];
  keyAction?: KeyAction;
}

/** Returned instead of a value when the value (attribute, or record for a log body) must go. */
export const DROP: unique symbol = Symbol('drop');
export type Redacted<T> = T | typeof DROP;

/** Name used in counters for redactions made by key rules rather than detectors. */
export const KEY_RULE = 'key';

const HASH_CACHE_MAX = 4096;
/** Keys whose values are versions (service.version, os.version): "10.2.0.1" there is no address. */
const VERSION_KEY = /version$|(^|[._])ver$/i;
export function isVersionKey(k: string): boolean {
  return VERSION_KEY.test(k);
}

export class Redactor {
  readonly scanner: Scanner;
  readonly names: readonly string[];
  /** Redactions per detector index since the last `takeCounts`; the last slot is KEY_RULE. */
  readonly counts: number[];
  /** Redactions since the last `resetItem` (for the `redaction.count` attribute). */
  itemCount = 0;
  private readonly actions: Action[];
  private readonly mask: string;
  private readonly hashKey?: string;
  private readonly hashCache = new Map<string, string>();
  private readonly allowAll: boolean;
  private readonly allowed: KeyMatcher;
  private readonly blocked: KeyMatcher;
  private readonly ignored: KeyMatcher;
  private readonly hasBlocked: boolean;
  private readonly keyAction: KeyAction;

  constructor(o: RedactorOptions) {
    this.scanner = new Scanner(o.detectors.map((d) => d.spec));
    this.actions = o.detectors.map((d) => d.action);
    this.names = [...o.detectors.map((d) => d.spec.name), KEY_RULE];
    this.counts = new Array<number>(this.names.length).fill(0);
    this.mask = o.mask;
    this.hashKey = o.hashKey;
    this.allowAll = !o.allowKeys || o.allowKeys.length === 0;
    this.allowed = keyMatcher(o.allowKeys ?? []);
    this.blocked = keyMatcher(o.blockKeys ?? []);
    this.hasBlocked = (o.blockKeys ?? []).length > 0;
    this.ignored = keyMatcher(o.ignoredKeys ?? []);
    this.keyAction = o.keyAction ?? 'mask';
    const needsHash = this.actions.includes('hash') || this.keyAction === 'hash';
    if (needsHash && !o.hashKey) throw new Error('the hash action needs a key (hash_key or hash_key_env)');
  }

  /** Stable pseudonym: HMAC-SHA256 under the configured key, first 16 hex digits (64 bits). */
  hash(value: string): string {
    let h = this.hashCache.get(value);
    if (h === undefined) {
      h = createHmac('sha256', this.hashKey!).update(value).digest('hex').slice(0, 16);
      if (this.hashCache.size >= HASH_CACHE_MAX) this.hashCache.clear();
      this.hashCache.set(value, h);
    }
    return h;
  }

  /** The string with detected spans replaced, the same string if nothing was found, or DROP. */
  redactString(s: string, versionKey = false): Redacted<string> {
    const found = this.scanner.scan(s, versionKey);
    if (found.length === 0) return s;
    return this.apply(s, found);
  }

  private apply(s: string, found: Match[]): Redacted<string> {
    let out = '';
    let pos = 0;
    for (const m of found) {
      this.counts[m.det]!++;
      this.itemCount++;
      const action = this.actions[m.det]!;
      if (action === 'drop') return DROP;
      const text = s.slice(m.start, m.end);
      out += s.slice(pos, m.start);
      if (action === 'mask') out += this.mask;
      else if (action === 'hash') out += this.hash(text);
      else out += text.includes(':') ? truncateIPv6(text) : truncateIPv4(text);
      pos = m.end;
    }
    return out + s.slice(pos);
  }

  private keyRedact(v: AnyValue): Redacted<AnyValue> {
    this.counts[this.counts.length - 1]!++;
    this.itemCount++;
    if (this.keyAction === 'drop') return DROP;
    if (this.keyAction === 'mask') return this.mask;
    return this.hash(typeof v === 'string' ? v : stringify(v));
  }

  /** A value of any type: strings and long integers are scanned, maps and lists recursively. */
  redactValue(v: AnyValue): Redacted<AnyValue> {
    if (typeof v === 'string') return this.redactString(v);
    if (v === null || typeof v === 'boolean' || v instanceof Uint8Array) return v;
    if (typeof v === 'number') {
      // Card numbers or phones stored as numbers; only whole numbers of 8+ digits can be one.
      if (!Number.isSafeInteger(v) || Math.abs(v) < 1e7) return v;
      const r = this.redactString(String(v));
      return r === DROP ? DROP : r === String(v) ? v : r;
    }
    if (typeof v === 'bigint') {
      if (v < 10_000_000n && v > -10_000_000n) return v;
      const s = v.toString();
      const r = this.redactString(s);
      return r === DROP ? DROP : r === s ? v : r;
    }
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const r = this.redactValue(v[i]!);
        if (r === DROP) {
          v.splice(i, 1);
          i--;
        } else v[i] = r;
      }
      return v;
    }
    this.redactMap(v, false);
    return v;
  }

  /**
   * Redact a map in place. `topLevel`: an attribute map, where `allow_keys` applies; nested
   * maps (and structured log bodies) only see `block_keys` and the detectors.
   */
  redactMap(m: KvList | Attributes, topLevel: boolean): void {
    for (const k in m) {
      if (this.ignored(k)) continue;
      const v = m[k]!;
      let r: Redacted<AnyValue>;
      if ((topLevel && !this.allowAll && !this.allowed(k)) || (this.hasBlocked && this.blocked(k))) r = this.keyRedact(v);
      else if (typeof v === 'string') r = this.redactString(v, VERSION_KEY.test(k));
      else r = this.redactValue(v);
      if (r === DROP) delete m[k];
      else if (r !== v) m[k] = r;
    }
  }

  resetItem(): void {
    this.itemCount = 0;
  }
}

function stringify(v: AnyValue): string {
  if (v instanceof Uint8Array) return Buffer.from(v).toString('base64');
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x)) ?? String(v);
}
