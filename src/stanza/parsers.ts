// Parsers: turn a string field into a map (json, regex, key=value, syslog).
import type { AnyValue, KvList } from '../pdata/types.js';
import { SYSLOG_SEVERITY, SYSLOG_SEVERITY_TEXT } from './severity.js';
import { goRegex, namedGroups } from '../util/goregex.js';

export type ParseFn = (text: string) => KvList;

export function jsonParse(text: string): KvList {
  const v = JSON.parse(text) as unknown;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('json_parser: value is not a JSON object');
  return v as KvList;
}

/** Go's `(?P<name>...)` is accepted as well as JavaScript's `(?<name>...)`. */
export function buildRegexParse(pattern: string): ParseFn | string {
  const rx = goRegex(pattern);
  if (typeof rx === 'string') return `regex_parser: ${rx}`;
  if (rx.names.size === 0) return 'regex_parser: the regex needs at least one named group, e.g. (?P<level>\\w+)';
  return (text) => {
    const m = rx.exec(text);
    if (!m) throw new Error('regex_parser: line does not match the regex');
    return namedGroups(m, rx.names);
  };
}

export function buildKeyValueParse(delimiter: string, pairDelimiter: string | undefined): ParseFn | string {
  if (delimiter === '') return 'key_value_parser: delimiter must not be empty';
  if (pairDelimiter !== undefined && pairDelimiter === delimiter) return 'key_value_parser: delimiter and pair_delimiter must differ';
  return (text) => {
    const out: KvList = {};
    const pairs = splitPairs(text, pairDelimiter);
    for (const pair of pairs) {
      const i = pair.indexOf(delimiter);
      if (i <= 0) throw new Error(`key_value_parser: "${pair}" has no "${delimiter}"`);
      out[unquote(pair.slice(0, i).trim())] = unquote(pair.slice(i + delimiter.length).trim());
    }
    return out;
  };
}

/** Split on the pair delimiter (whitespace by default) outside quotes. */
function splitPairs(text: string, pd: string | undefined): string[] {
  const out: string[] = [];
  let cur = '';
  let q: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (q) {
      if (c === q) q = undefined;
      cur += c;
    } else if (c === '"' || c === "'") {
      q = c;
      cur += c;
    } else if (pd === undefined ? /\s/.test(c) : text.startsWith(pd, i)) {
      if (cur.trim()) out.push(cur);
      cur = '';
      if (pd) i += pd.length - 1;
    } else cur += c;
  }
  if (cur.trim()) out.push(cur);
  return out;
}

function unquote(s: string): string {
  return s.length >= 2 && (s[0] === '"' || s[0] === "'") && s[s.length - 1] === s[0] ? s.slice(1, -1) : s;
}

// ---- syslog ----

export interface SyslogResult {
  fields: KvList;
  /** The message timestamp as written (RFC 3339 for 5424, "Mmm dd hh:mm:ss" for 3164). */
  timestamp?: string;
  severityNumber?: number;
  severityText?: string;
}

const RFC5424 =
  /^<(\d{1,3})>(\d{1,2}) (\S+) (\S+) (\S+) (\S+) (\S+) (-|(?:\[(?:[^\]\\]|\\.)*\])+)(?: (.*))?$/s;
const RFC3164 = /^<(\d{1,3})>([A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2}) (\S+) (?:([^:[\s]+)(?:\[([^\]]*)\])?: ?)?(.*)$/s;

function priorityFields(pri: string, out: KvList, r: SyslogResult): void {
  const p = Number(pri);
  if (p > 191) throw new Error(`syslog_parser: priority ${p} is out of range`);
  out.priority = BigInt(p);
  out.facility = BigInt(p >> 3);
  out.severity = BigInt(p & 7);
  r.severityNumber = SYSLOG_SEVERITY[p & 7];
  r.severityText = SYSLOG_SEVERITY_TEXT[p & 7];
}

const nil = (v: string | undefined): string | undefined => (v === undefined || v === '-' ? undefined : v);

function structuredData(sd: string): KvList {
  const out: KvList = {};
  const elem = /\[([^\s\]]+)((?:\s+[^=\s]+="(?:[^"\\]|\\.)*")*)\s*\]/g;
  let m: RegExpExecArray | null;
  while ((m = elem.exec(sd)) !== null) {
    const params: KvList = {};
    const pr = /([^=\s]+)="((?:[^"\\]|\\.)*)"/g;
    let pm: RegExpExecArray | null;
    while ((pm = pr.exec(m[2]!)) !== null) params[pm[1]!] = pm[2]!.replace(/\\(["\\\]])/g, '$1');
    out[m[1]!] = params;
  }
  return out;
}

export function syslogParse(protocol: 'rfc3164' | 'rfc5424', text: string): SyslogResult {
  const out: KvList = {};
  const r: SyslogResult = { fields: out };
  const set = (k: string, v: AnyValue | undefined) => {
    if (v !== undefined) out[k] = v;
  };
  if (protocol === 'rfc5424') {
    const m = RFC5424.exec(text);
    if (!m) throw new Error('syslog_parser: not an RFC 5424 message');
    priorityFields(m[1]!, out, r);
    out.version = BigInt(m[2]!);
    r.timestamp = nil(m[3]);
    set('hostname', nil(m[4]));
    set('appname', nil(m[5]));
    set('proc_id', nil(m[6]));
    set('msg_id', nil(m[7]));
    if (m[8] !== '-') out.structured_data = structuredData(m[8]!);
    set('message', m[9]?.replace(/^\uFEFF/, ''));
    return r;
  }
  const m = RFC3164.exec(text);
  if (!m) throw new Error('syslog_parser: not an RFC 3164 message');
  priorityFields(m[1]!, out, r);
  r.timestamp = m[2];
  set('hostname', m[3]);
  set('appname', m[4]);
  set('proc_id', m[5]);
  set('message', m[6]);
  return r;
}
