// What makes a response good: its status among valid_status_codes, and the body validations
// (contrib's `validations:` items, with its type names for httpcheck.validation.*).
import { bodyRegex, type Validation } from './config.js';

export type StatusMatcher = (code: number) => boolean;

export function statusMatcher(specs: readonly string[]): StatusMatcher {
  const tests = specs.map((sp): StatusMatcher => {
    if (/^[1-5]xx$/.test(sp)) {
      const c = Number(sp[0]);
      return (code) => Math.floor(code / 100) === c;
    }
    const range = /^(\d{3})-(\d{3})$/.exec(sp);
    if (range) return (code) => code >= Number(range[1]) && code <= Number(range[2]);
    const n = Number(sp);
    return (code) => code === n;
  });
  return (code) => tests.some((t) => t(code));
}

export interface ValidationResult {
  type: 'contains' | 'not_contains' | 'regex' | 'json_path' | 'size';
  passed: boolean;
  /** Why it failed (shown on the console, in error.message). */
  why?: string;
}

export type Validator = (body: Buffer, size: number) => ValidationResult;

export function compileValidation(v: Validation): Validator {
  if (v.contains !== undefined) {
    const needle = v.contains;
    return (b) => ({ type: 'contains', passed: b.includes(needle), why: `body does not contain ${JSON.stringify(needle)}` });
  }
  if (v.not_contains !== undefined) {
    const needle = v.not_contains;
    return (b) => ({ type: 'not_contains', passed: !b.includes(needle), why: `body contains ${JSON.stringify(needle)}` });
  }
  if (v.regex !== undefined) {
    const re = bodyRegex(v.regex);
    const src = v.regex;
    return (b) => ({ type: 'regex', passed: re.test(b.toString('utf8')), why: `body does not match /${src}/` });
  }
  if (v.json_path !== undefined) {
    const path = parseJsonPath(v.json_path);
    const want = v.equals;
    const shown = v.json_path;
    return (b) => {
      let doc: unknown;
      try {
        doc = JSON.parse(b.toString('utf8'));
      } catch {
        return { type: 'json_path', passed: false, why: 'body is not JSON' };
      }
      const got = walk(doc, path);
      if (got === undefined) return { type: 'json_path', passed: false, why: `${shown} not found` };
      if (want === undefined) return { type: 'json_path', passed: true };
      const text = typeof got === 'string' ? got : JSON.stringify(got);
      return { type: 'json_path', passed: text === want, why: `${shown} is ${text.slice(0, 100)}, want ${want}` };
    };
  }
  const min = v.min_size;
  const max = v.max_size;
  return (_b, size) => {
    const passed = (min === undefined || size >= min) && (max === undefined || size <= max);
    return { type: 'size', passed, why: `body is ${size} bytes (${min !== undefined ? `min ${min}` : ''}${min !== undefined && max !== undefined ? ', ' : ''}${max !== undefined ? `max ${max}` : ''})` };
  };
}

/** `$.a.b[0].c`, `a.b.0.c` (gjson style, as contrib writes it) or `$['a']`. */
export function parseJsonPath(p: string): (string | number)[] {
  let s = p.trim();
  if (s.startsWith('$')) s = s.slice(1);
  const out: (string | number)[] = [];
  const re = /\.?([^.[\]]+)|\[(\d+)\]|\['([^']*)'\]|\["([^"]*)"\]/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s))) {
    if (m[1] !== undefined) out.push(/^\d+$/.test(m[1]) ? Number(m[1]) : m[1]);
    else if (m[2] !== undefined) out.push(Number(m[2]));
    else out.push(m[3] ?? m[4] ?? '');
  }
  return out;
}

function walk(doc: unknown, path: (string | number)[]): unknown {
  let cur: unknown = doc;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    if (Array.isArray(cur)) {
      if (typeof k !== 'number') return undefined;
      cur = cur[k];
    } else cur = (cur as Record<string, unknown>)[String(k)];
    if (cur === undefined) return undefined;
  }
  return cur;
}
