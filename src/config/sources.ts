// Reading config files: YAML with positions, merged in order, plus --set overrides.
import { existsSync, readFileSync } from 'node:fs';
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import type { Path } from './schema.js';
import { redactUrlSecrets } from '../security/redact.js';

export interface ConfigError {
  file?: string;
  line?: number;
  col?: number;
  message: string;
}

export function formatConfigError(e: ConfigError): string {
  const where = e.file ? `${e.file}${e.line ? `:${e.line}:${e.col ?? 1}` : ''}: ` : '';
  // Messages may quote a value: credentials in URLs are not repeated (validate, /reload, logs).
  return `${where}${redactUrlSecrets(e.message)}`;
}

interface LoadedDoc {
  file: string;
  doc: Document;
  lines: LineCounter;
}

/** The parsed files plus the --set overrides, able to say where a config path was written. */
export class ConfigSources {
  readonly docs: LoadedDoc[] = [];
  readonly errors: ConfigError[] = [];
  /** Accepted but worth telling (compatibility keys not implemented, deprecated names), with positions. */
  readonly warnings: ConfigError[] = [];
  /** --set overrides, by joined path, to attribute errors to them. */
  private sets = new Map<string, string>();
  private merged: Record<string, unknown> = {};

  addFile(file: string): void {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      this.errors.push({ file, message: code === 'ENOENT' ? 'no such file' : `cannot read: ${(err as Error).message}` });
      return;
    }
    this.addText(file, text);
  }

  /**
   * A --config argument as the Collector takes it: `file:PATH`, `env:VAR` (the variable holds
   * YAML), `yaml:INLINE` (keys may use the `::` separator: `yaml:processors::batch::timeout: 2s`),
   * or a plain path. http(s) providers are refused with the reason rather than ignored.
   */
  addUri(uri: string, env: NodeJS.ProcessEnv = process.env): void {
    const m = /^([A-Za-z][A-Za-z0-9+.-]+):(.*)$/s.exec(uri);
    const scheme = m?.[1]!.toLowerCase();
    if (!m || (scheme !== 'file' && scheme !== 'env' && scheme !== 'yaml' && existsSync(uri))) return this.addFile(uri);
    const rest = m[2]!;
    switch (scheme) {
      case 'file':
        return this.addFile(rest);
      case 'env': {
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(rest)) return void this.errors.push({ file: uri, message: `"${rest}" is not an environment variable name` });
        const text = env[rest];
        if (text === undefined) return void this.errors.push({ file: uri, message: `the environment variable ${rest} is not set` });
        return this.addText(uri, text);
      }
      case 'yaml':
        return this.addText(uri.length > 60 ? `${uri.slice(0, 57)}...` : uri, rest, true);
      case 'http':
      case 'https':
        return void this.errors.push({ file: uri, message: `${scheme}: config URIs are not supported (telemd does not fetch its config over the network at start); download it and give the path` });
      default:
        return void this.errors.push({ file: uri, message: `no such file, and "${scheme}:" is not a config URI scheme telemd knows (file:, env:, yaml:)` });
    }
  }

  addText(file: string, text: string, colonKeys = false): void {
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
    if (doc.errors.length > 0) {
      for (const e of doc.errors) {
        const pos = lines.linePos(e.pos[0]);
        const message =
          e.code === 'RESOURCE_EXHAUSTION'
            ? `the YAML nests deeper than ${MAX_NESTING} levels here; a config never needs that many`
            : `YAML syntax error: ${firstLine(e.message)}`;
        this.errors.push({ file, line: pos.line, col: pos.col, message });
      }
      return;
    }
    const problem = checkStructure(doc);
    if (problem) {
      const pos = lines.linePos(problem.pos);
      this.errors.push({ file, line: pos.line, col: pos.col, message: problem.message });
      return;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (err) {
      // checkStructure found the known causes; anything else is still a config error, not a crash.
      const excessive = /Excessive alias count/.test((err as Error).message);
      const pos = lines.linePos(excessive ? (firstAlias(doc) ?? 0) : 0);
      this.errors.push({
        file,
        line: pos.line,
        col: pos.col,
        message: excessive
          ? `aliases here expand into too many copies (more than ${MAX_ALIAS_COUNT} per anchor, as in a "billion laughs" file); write the values out or use fewer nested aliases`
          : `cannot read this YAML: ${firstLine((err as Error).message)}`,
      });
      return;
    }
    if (value !== null && value !== undefined && (typeof value !== 'object' || Array.isArray(value))) {
      this.errors.push({ file, line: 1, col: 1, message: 'the config must be a YAML map' });
      return;
    }
    this.docs.push({ file, doc, lines });
    if (colonKeys && value) value = expandColonKeys(value);
    this.merged = deepMerge(this.merged, (value ?? {}) as Record<string, unknown>) as Record<string, unknown>;
  }

  /** `path=value`; path segments separated by `::` (Collector) or `.`. */
  addSet(expr: string): void {
    const eq = expr.indexOf('=');
    if (eq <= 0) {
      this.errors.push({ file: '--set', message: `"${expr}": expected path=value` });
      return;
    }
    const key = expr.slice(0, eq);
    const path = key.includes('::') ? key.split('::') : key.split('.');
    let value: unknown;
    try {
      value = parseDocument(expr.slice(eq + 1)).toJS();
    } catch {
      value = expr.slice(eq + 1);
    }
    let obj = this.merged;
    for (const seg of path.slice(0, -1)) {
      const next = obj[seg];
      if (!next || typeof next !== 'object' || Array.isArray(next)) obj[seg] = {};
      obj = obj[seg] as Record<string, unknown>;
    }
    obj[path[path.length - 1]!] = value;
    this.sets.set(path.join('\u0000'), expr);
  }

  get value(): Record<string, unknown> {
    return this.merged;
  }

  /** Where `path` was written: the last file (or --set) that defines it, else its nearest ancestor. */
  locate(path: Path, atKey = false): Omit<ConfigError, 'message'> {
    for (let depth = path.length; depth >= 0; depth--) {
      const sub = path.slice(0, depth);
      const set = this.sets.get(sub.join('\u0000'));
      if (set) return { file: `--set ${set}` };
      for (let i = this.docs.length - 1; i >= 0; i--) {
        const d = this.docs[i]!;
        const pos = findPos(d.doc, sub, atKey && depth === path.length);
        if (pos !== undefined) {
          const lp = d.lines.linePos(pos);
          return { file: d.file, line: lp.line, col: lp.col };
        }
      }
    }
    return { file: this.docs[this.docs.length - 1]?.file };
  }

  error(path: Path, message: string, atKey = false): void {
    this.errors.push({ ...this.locate(path, atKey), message });
  }

  warn(path: Path, message: string, atKey = true): void {
    this.warnings.push({ ...this.locate(path, atKey), message });
  }
}

/** Deeper nesting is refused with its position (the YAML library itself would overflow the stack at ~1,000). */
const MAX_NESTING = 64;
/** Per anchor: more uses than this are a resource-exhaustion attack (the yaml library's check). */
const MAX_ALIAS_COUNT = 100;

/**
 * Problems toJS would turn into crashes or unpositioned errors: nesting too deep, an alias of
 * an anchor that does not exist (also in `<<: *a`), an alias inside the node it refers to.
 */
function checkStructure(doc: Document): { pos: number; message: string } | undefined {
  const walk = (node: unknown, depth: number): { pos: number; message: string } | undefined => {
    if (!node || typeof node !== 'object') return undefined;
    const n = node as YamlNode;
    if (depth > MAX_NESTING) return { pos: n.range?.[0] ?? 0, message: `the YAML nests deeper than ${MAX_NESTING} levels here; a config never needs that many` };
    if (isAlias(n)) {
      const target = n.resolve(doc);
      const at = n.range?.[0] ?? 0;
      if (!target)
        return { pos: at, message: `alias *${n.source} refers to no anchor: define &${n.source} before it is used (in "<<: *${n.source}" too)` };
      const r = target.range;
      if (r && at >= r[0] && at < r[1]) return { pos: at, message: `alias *${n.source} is inside the value it refers to (&${n.source}), so it would never end` };
      return undefined;
    }
    if (isMap(n) || isSeq(n)) {
      for (const item of n.items) {
        const p = isPair(item) ? walk(item.key, depth + 1) ?? walk(item.value, depth + 1) : walk(item, depth + 1);
        if (p) return p;
      }
    }
    return undefined;
  };
  return walk(doc.contents, 0);
}

function firstAlias(doc: Document): number | undefined {
  let found: number | undefined;
  const walk = (node: unknown, depth: number): void => {
    if (found !== undefined || !node || typeof node !== 'object' || depth > MAX_NESTING) return;
    const n = node as YamlNode;
    if (isAlias(n)) found = n.range?.[0];
    else if (isMap(n) || isSeq(n)) for (const item of n.items) isPair(item) ? (walk(item.key, depth + 1), walk(item.value, depth + 1)) : walk(item, depth + 1);
  };
  walk(doc.contents, 0);
  return found;
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.trim();
}

function findPos(doc: Document, path: Path, atKey: boolean): number | undefined {
  if (path.length === 0) return doc.contents?.range?.[0];
  const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
  const last = path[path.length - 1]!;
  if (isMap(parent)) {
    const pair = parent.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(last));
    if (!pair) return undefined;
    const key = pair.key as YamlNode;
    const val = pair.value as YamlNode | null;
    if (atKey || !val || !val.range) return key.range?.[0];
    return val.range[0];
  }
  const node = doc.getIn(path, true) as YamlNode | undefined;
  return node && typeof node === 'object' && 'range' in node ? node.range?.[0] : undefined;
}

/** `{ "a::b": 1 }` -> `{ a: { b: 1 } }`, as the Collector's confmap reads `::` in keys. */
function expandColonKeys(v: unknown): unknown {
  if (!isPlainObject(v)) return v;
  let out: Record<string, unknown> = {};
  for (const [k, val] of Object.entries(v)) {
    const parts = k.split('::');
    let nested: unknown = expandColonKeys(val);
    for (let i = parts.length - 1; i > 0; i--) nested = { [parts[i]!]: nested };
    out = deepMerge(out, { [parts[0]!]: nested }) as Record<string, unknown>;
  }
  return out;
}

/** Maps merge key by key; anything else (lists included) is replaced, as in the Collector. */
export function deepMerge(a: unknown, b: unknown): unknown {
  if (isPlainObject(a) && isPlainObject(b)) {
    const out: Record<string, unknown> = { ...a };
    for (const [k, v] of Object.entries(b)) out[k] = k in out ? deepMerge(out[k], v) : v;
    return out;
  }
  return b === null && isPlainObject(a) ? a : b;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
