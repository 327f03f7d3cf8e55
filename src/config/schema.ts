// A small typed-schema library for component configs: defaults, unknown-key errors with
// "did you mean", durations and sizes, secret fields (redacted in print-config and logs).
// Hand-written rather than zod because it must carry YAML paths for file:line:col errors,
// secret markers for redaction and descriptions for `telemd components`.
import { formatDuration, parseDuration, parseSize } from './units.js';
import { didYouMean } from './suggest.js';

export type Path = (string | number)[];

export interface Issue {
  path: Path;
  message: string;
  /** Point at the key rather than its value (unknown keys). */
  atKey?: boolean;
  /** A position in another file the value names (a rule file): reported there, not at `path`. */
  at?: { file: string; line?: number; col?: number };
}

export class ParseContext {
  readonly issues: Issue[] = [];
  /** Accepted, but the user should know (keys accepted for compatibility and not implemented, deprecated names). */
  readonly warnings: Issue[] = [];
  error(path: Path, message: string, atKey = false): void {
    this.issues.push({ path: [...path], message, atKey });
  }
  warn(path: Path, message: string, atKey = true): void {
    this.warnings.push({ path: [...path], message, atKey });
  }
  /** An error in a file the config points to (rule files), at that file's own line:col. */
  errorAt(at: { file: string; line?: number; col?: number }, message: string): void {
    this.issues.push({ path: [], message, at });
  }
}

export const REDACTED = '[REDACTED]';

export abstract class Schema<T> {
  /** Type-level only: what parse() returns (keeps inference exact). */
  declare readonly _output: T;
  desc?: string;
  protected defaultFn?: () => T;
  isSecret = false;

  /** Parse `v` (undefined = absent); report problems to `ctx` and return a best-effort value. */
  abstract parseValue(v: unknown, ctx: ParseContext, path: Path): T;

  /** Names of the keys this schema knows (objects only); used for suggestions. */
  keys(): string[] {
    return [];
  }

  parse(v: unknown, ctx: ParseContext, path: Path = []): T {
    if (v === undefined || v === null) {
      if (this.defaultFn) return this.defaultFn();
      if (this.optionalFlag) return undefined as T;
      if (v === undefined) {
        ctx.error(path, 'is required');
        return undefined as T;
      }
    }
    return this.parseValue(v, ctx, path);
  }

  protected optionalFlag = false;

  default(value: T | (() => T)): this {
    this.defaultFn = typeof value === 'function' ? (value as () => T) : () => structuredCloneSafe(value);
    return this;
  }

  optional(): Schema<T | undefined> {
    this.optionalFlag = true;
    return this as Schema<T | undefined>;
  }

  describe(d: string): this {
    this.desc = d;
    return this;
  }

  /** Copy of `value` for people (print-config): secrets replaced by [REDACTED], durations as text. */
  redact(value: T): unknown {
    if (this.isSecret && value !== undefined && value !== '' && value !== null) return REDACTED;
    return value;
  }
}

function structuredCloneSafe<T>(v: T): T {
  return typeof v === 'object' && v !== null ? structuredClone(v) : v;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a map';
  return `${typeof v} ${JSON.stringify(v)}`;
}

class StringSchema extends Schema<string> {
  parseValue(v: unknown, ctx: ParseContext, path: Path): string {
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    ctx.error(path, `expected a string, got ${typeName(v)}`);
    return '';
  }
}

class NumberSchema extends Schema<number> {
  constructor(private opts: { min?: number; max?: number; int?: boolean } = {}) {
    super();
  }
  parseValue(v: unknown, ctx: ParseContext, path: Path): number {
    const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
    if (typeof n !== 'number' || Number.isNaN(n)) {
      ctx.error(path, `expected a number, got ${typeName(v)}`);
      return 0;
    }
    if (this.opts.int && !Number.isInteger(n)) ctx.error(path, `expected a whole number, got ${n}`);
    if (this.opts.min !== undefined && n < this.opts.min) ctx.error(path, `must be >= ${this.opts.min}, got ${n}`);
    if (this.opts.max !== undefined && n > this.opts.max) ctx.error(path, `must be <= ${this.opts.max}, got ${n}`);
    return n;
  }
}

class BooleanSchema extends Schema<boolean> {
  parseValue(v: unknown, ctx: ParseContext, path: Path): boolean {
    if (typeof v === 'boolean') return v;
    if (v === 'true') return true;
    if (v === 'false') return false;
    ctx.error(path, `expected true or false, got ${typeName(v)}`);
    return false;
  }
}

/** Durations in milliseconds: "10s", "500ms", "1h30m"; 0 is allowed bare. */
class DurationSchema extends Schema<number> {
  constructor(private opts: { min?: number } = {}) {
    super();
  }
  override default(value: number | string | (() => number)): this {
    if (typeof value === 'string') {
      const ms = parseDuration(value);
      if (ms === undefined) throw new Error(`bad default duration ${value}`);
      return super.default(ms);
    }
    return super.default(value);
  }
  parseValue(v: unknown, ctx: ParseContext, path: Path): number {
    const ms = typeof v === 'string' ? parseDuration(v) : v === 0 ? 0 : undefined;
    if (ms === undefined) {
      ctx.error(path, `invalid duration ${JSON.stringify(v)} (use a number with a unit: 500ms, 10s, 5m, 1h)`);
      return 0;
    }
    if (this.opts.min !== undefined && ms < this.opts.min) ctx.error(path, `must be at least ${this.opts.min}ms`);
    return ms;
  }
  override redact(value: number): unknown {
    return typeof value === 'number' ? formatDuration(value) : value;
  }
}

/** Sizes in bytes: "64MiB", "20MB", "512KiB", or a plain number of bytes. */
class SizeSchema extends Schema<number> {
  override default(value: number | string | (() => number)): this {
    if (typeof value === 'string') {
      const b = parseSize(value);
      if (b === undefined) throw new Error(`bad default size ${value}`);
      return super.default(b);
    }
    return super.default(value);
  }
  parseValue(v: unknown, ctx: ParseContext, path: Path): number {
    const b = typeof v === 'number' && v >= 0 ? v : typeof v === 'string' ? parseSize(v) : undefined;
    if (b === undefined) {
      ctx.error(path, `invalid size ${JSON.stringify(v)} (use e.g. 512KiB, 64MiB, 1GiB or a number of bytes)`);
      return 0;
    }
    return b;
  }
}

class EnumSchema<E extends string> extends Schema<E> {
  constructor(readonly values: readonly E[]) {
    super();
  }
  parseValue(v: unknown, ctx: ParseContext, path: Path): E {
    if (typeof v === 'string' && (this.values as readonly string[]).includes(v)) return v as E;
    const hint = typeof v === 'string' ? didYouMean(v, this.values) : '';
    ctx.error(path, `must be one of ${this.values.map((x) => JSON.stringify(x)).join(', ')}, got ${typeName(v)}${hint}`);
    return this.values[0] as E;
  }
}

class ArraySchema<T> extends Schema<T[]> {
  constructor(readonly item: Schema<T>) {
    super();
  }
  parseValue(v: unknown, ctx: ParseContext, path: Path): T[] {
    if (!Array.isArray(v)) {
      // A single scalar where a list is expected is accepted as a list of one (Collector does too).
      if (typeof v === 'string' || typeof v === 'number') return [this.item.parse(v, ctx, path)];
      ctx.error(path, `expected a list, got ${typeName(v)}`);
      return [];
    }
    return v.map((x, i) => this.item.parse(x, ctx, [...path, i]));
  }
  override redact(value: T[]): unknown {
    return Array.isArray(value) ? value.map((x) => this.item.redact(x)) : value;
  }
}

class RecordSchema<T> extends Schema<Record<string, T>> {
  constructor(readonly value: Schema<T>) {
    super();
  }
  parseValue(v: unknown, ctx: ParseContext, path: Path): Record<string, T> {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      ctx.error(path, `expected a map, got ${typeName(v)}`);
      return {};
    }
    const out: Record<string, T> = {};
    for (const [k, x] of Object.entries(v)) out[k] = this.value.parse(x, ctx, [...path, k]);
    return out;
  }
  override redact(value: Record<string, T>): unknown {
    if (!value || typeof value !== 'object') return value;
    return Object.fromEntries(Object.entries(value).map(([k, x]) => [k, this.value.redact(x)]));
  }
}

export type Shape = Record<string, Schema<unknown>>;
export type InferShape<S extends Shape> = { [K in keyof S]: Infer<S[K]> };
export type Infer<S> = S extends { readonly _output: infer T } ? T : never;

export class ObjectSchema<S extends Shape> extends Schema<InferShape<S>> {
  constructor(
    readonly shape: S,
    private allowUnknown = false,
  ) {
    super();
    // An absent object takes the defaults of its fields.
    this.defaultFn = undefined;
  }
  override keys(): string[] {
    return Object.keys(this.shape);
  }
  override parse(v: unknown, ctx: ParseContext, path: Path = []): InferShape<S> {
    if ((v === undefined || v === null) && !this.defaultFn && !this.optionalFlag) return this.parseValue({}, ctx, path);
    return super.parse(v, ctx, path);
  }
  parseValue(v: unknown, ctx: ParseContext, path: Path): InferShape<S> {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      ctx.error(path, `expected a map, got ${typeName(v)}`);
      v = {};
    }
    let src = v as Record<string, unknown>;
    src = this.foldCase(src, ctx, path);
    const out: Record<string, unknown> = {};
    for (const [k, schema] of Object.entries(this.shape)) out[k] = schema.parse(src[k], ctx, [...path, k]);
    if (!this.allowUnknown) {
      for (const k of Object.keys(src)) {
        if (k in this.shape) continue;
        ctx.error([...path, k], `unknown key "${k}"` + didYouMean(k, Object.keys(this.shape)), true);
      }
    } else {
      for (const k of Object.keys(src)) if (!(k in this.shape)) out[k] = src[k];
    }
    return out as InferShape<S>;
  }
  /**
   * The Collector matches keys case-insensitively (`logLevel` = `loglevel`): such a key is taken
   * under its canonical name, with a warning, unless the canonical spelling is also present.
   */
  private foldCase(src: Record<string, unknown>, ctx: ParseContext, path: Path): Record<string, unknown> {
    let out = src;
    for (const k of Object.keys(src)) {
      if (k in this.shape) continue;
      const canon = Object.keys(this.shape).find((x) => x.toLowerCase() === k.toLowerCase());
      if (!canon || canon in src) continue;
      if (out === src) out = { ...src };
      out[canon] = out[k];
      delete out[k];
      ctx.warn([...path, k], `key "${k}" is read as "${canon}" (keys are case-insensitive in the Collector; write "${canon}")`);
    }
    return out;
  }
  override redact(value: InferShape<S>): unknown {
    if (!value || typeof value !== 'object') return value;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(value as Record<string, unknown>)) {
      const s = this.shape[k];
      if (s instanceof IgnoredSchema) continue;
      out[k] = s ? s.redact(x) : x;
    }
    return out;
  }
}

/**
 * A Collector key telemd accepts so that configs load, but does not implement. Declared in the
 * component's schema with the reason; `validate` and `run` warn with its position when it is set.
 * Never use it for a key whose absence of effect could lose or leak data: implement those.
 */
export class IgnoredSchema extends Schema<undefined> {
  constructor(readonly reason: string) {
    super();
    this.desc = `accepted for Collector compatibility, not implemented: ${reason}`;
  }
  override parse(v: unknown, ctx: ParseContext, path: Path = []): undefined {
    if (v !== undefined) ctx.warn(path, `"${String(path[path.length - 1] ?? '')}" is accepted for Collector compatibility but not implemented by telemd: ${this.reason}`);
    return undefined;
  }
  parseValue(): undefined {
    return undefined;
  }
}

/** A key kept for old configs whose value is translated to its replacement (e.g. `loglevel` -> `verbosity`). */
export class DeprecatedSchema<T> extends Schema<T | undefined> {
  constructor(
    private readonly inner: Schema<T>,
    readonly replacement: string,
  ) {
    super();
    this.desc = `deprecated: use ${replacement}`;
  }
  override parse(v: unknown, ctx: ParseContext, path: Path = []): T | undefined {
    if (v === undefined) return undefined;
    ctx.warn(path, `"${String(path[path.length - 1] ?? '')}" is deprecated in the Collector; use ${this.replacement}`);
    return this.inner.parse(v, ctx, path);
  }
  parseValue(v: unknown, ctx: ParseContext, path: Path): T | undefined {
    return this.inner.parseValue(v, ctx, path);
  }
}

/** Any YAML value, unchecked (for pass-through maps such as resource attributes). */
class UnknownSchema extends Schema<unknown> {
  parseValue(v: unknown): unknown {
    return v;
  }
}

/** A custom check on top of another schema. */
class RefinedSchema<T> extends Schema<T> {
  constructor(
    private inner: Schema<T>,
    private check: (v: T) => string | undefined,
  ) {
    super();
    this.isSecret = inner.isSecret;
  }
  // Absent values take the inner schema's default (or its optional/required rule).
  override parse(v: unknown, ctx: ParseContext, path: Path = []): T {
    // A default or optional() set on the refined schema itself wins over the inner one's.
    if ((v === undefined || v === null) && (this.defaultFn || this.optionalFlag)) return super.parse(v, ctx, path);
    const before = ctx.issues.length;
    const out = this.inner.parse(v, ctx, path);
    if (ctx.issues.length === before && out !== undefined) {
      const msg = this.check(out);
      if (msg) ctx.error(path, msg);
    }
    return out;
  }
  parseValue(v: unknown, ctx: ParseContext, path: Path): T {
    const before = ctx.issues.length;
    const out = this.inner.parseValue(v, ctx, path);
    if (ctx.issues.length === before) {
      const msg = this.check(out);
      if (msg) ctx.error(path, msg);
    }
    return out;
  }
  override keys(): string[] {
    return this.inner.keys();
  }
  override redact(value: T): unknown {
    return this.inner.redact(value);
  }
}

/**
 * Collector style sections (`grpc:`, `cpu:`): absent = off; present, even with no value = on
 * with defaults. A plain optional schema cannot tell `cpu:` (null) from absent.
 */
class PresenceSchema<T> extends Schema<T | undefined> {
  constructor(private readonly inner: Schema<T>) {
    super();
    this.desc = inner.desc;
  }
  override parse(v: unknown, ctx: ParseContext, path: Path = []): T | undefined {
    if (v === undefined) return undefined;
    return this.inner.parse(v === null ? {} : v, ctx, path);
  }
  parseValue(v: unknown, ctx: ParseContext, path: Path): T | undefined {
    return this.inner.parseValue(v, ctx, path);
  }
  override keys(): string[] {
    return this.inner.keys();
  }
  override redact(value: T | undefined): unknown {
    return value === undefined ? value : this.inner.redact(value);
  }
}

export const s = {
  string: () => new StringSchema(),
  number: (opts?: { min?: number; max?: number; int?: boolean }) => new NumberSchema(opts),
  int: (opts?: { min?: number; max?: number }) => new NumberSchema({ ...opts, int: true }),
  boolean: () => new BooleanSchema(),
  duration: (opts?: { min?: number }) => new DurationSchema(opts),
  size: () => new SizeSchema(),
  enum: <E extends string>(values: readonly E[]) => new EnumSchema<E>(values),
  array: <T>(item: Schema<T>) => new ArraySchema<T>(item),
  record: <T>(value: Schema<T>) => new RecordSchema<T>(value),
  object: <S extends Shape>(shape: S) => new ObjectSchema<S>(shape),
  /** An object that keeps keys it does not know (use sparingly: typos go unnoticed). */
  looseObject: <S extends Shape>(shape: S) => new ObjectSchema<S>(shape, true),
  unknown: () => new UnknownSchema(),
  /** Marks a value as secret: redacted in print-config and never logged. */
  secret: <T>(inner: Schema<T>): Schema<T> => {
    inner.isSecret = true;
    return inner;
  },
  refine: <T>(inner: Schema<T>, check: (v: T) => string | undefined) => new RefinedSchema<T>(inner, check),
  /** Absent = undefined (off); present, even empty, = parsed with the inner defaults (on). */
  presence: <T>(inner: Schema<T>) => new PresenceSchema<T>(inner),
  /** A Collector key accepted but not implemented: a warning with its position whenever it is set. */
  ignored: (reason: string) => new IgnoredSchema(reason),
  /** An old key translated to its replacement by the component; a warning naming the replacement. */
  deprecated: <T>(inner: Schema<T>, replacement: string) => new DeprecatedSchema<T>(inner, replacement),
};
