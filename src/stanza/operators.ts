// Operator configs (Collector stanza key names) and their implementations.
import { s, type Infer } from '../config/schema.js';
import type { AnyValue, KvList } from '../pdata/types.js';
import type { Entry, Operator } from './entry.js';
import { deleteField, getField, parseField, setField, type Field } from './field.js';
import { buildKeyValueParse, buildRegexParse, jsonParse, syslogParse, type ParseFn } from './parsers.js';
import { buildSeverityMapper, type SeverityMapper } from './severity.js';
import { buildTimeParser, type TimeParser } from './timestamp.js';
import { compileEntryExpr } from './expr.js';

const onError = s.enum(['send', 'send_quiet', 'drop', 'drop_quiet'] as const).default('send');
const timeSchema = s.object({
  parse_from: s.string().default('attributes.time'),
  layout_type: s.enum(['strptime', 'gotime', 'epoch'] as const).default('strptime'),
  layout: s.string(),
  location: s.string().optional(),
});
const severitySchema = s.object({
  parse_from: s.string().default('attributes.severity'),
  mapping: s.record(s.unknown()).optional(),
  preset: s.enum(['default', 'none'] as const).default('default'),
  overwrite_text: s.boolean().default(false),
});
const common = { type: s.string(), id: s.string().optional(), on_error: onError };
const parserCommon = {
  ...common,
  parse_from: s.string().default('body'),
  parse_to: s.string().default('attributes'),
  timestamp: timeSchema.optional(),
  severity: severitySchema.optional(),
};

export const operatorSchemas = {
  json_parser: s.object({ ...parserCommon }),
  regex_parser: s.object({ ...parserCommon, regex: s.string() }),
  key_value_parser: s.object({ ...parserCommon, delimiter: s.string().default('='), pair_delimiter: s.string().optional() }),
  syslog_parser: s.object({ ...parserCommon, protocol: s.enum(['rfc3164', 'rfc5424'] as const), location: s.string().optional() }),
  time_parser: s.object({ ...common, parse_from: s.string().default('attributes.time'), layout_type: timeSchema.shape.layout_type, layout: s.string(), location: s.string().optional() }),
  severity_parser: s.object({ ...common, parse_from: s.string().default('attributes.severity'), mapping: s.record(s.unknown()).optional(), preset: severitySchema.shape.preset, overwrite_text: s.boolean().default(false) }),
  move: s.object({ ...common, from: s.string(), to: s.string() }),
  copy: s.object({ ...common, from: s.string(), to: s.string() }),
  remove: s.object({ ...common, field: s.string() }),
  add: s.object({ ...common, field: s.string(), value: s.unknown() }),
  // Drops entries for which expr is true (drop_ratio of them, at random, as stanza does).
  filter: s.object({ ...common, expr: s.string(), drop_ratio: s.number({ min: 0, max: 1 }).default(1) }),
};
export type OperatorType = keyof typeof operatorSchemas;

type TimeCfg = Infer<typeof timeSchema>;
type SevCfg = Infer<typeof severitySchema>;

export class Build {
  errors: string[] = [];
  field(text: string, where: string): Field {
    const f = parseField(text);
    if (typeof f === 'string') {
      this.errors.push(`${where}: ${f}`);
      return { root: 'attributes', keys: ['_'], text };
    }
    return f;
  }
  time(c: TimeCfg, where: string): { from: Field; p: TimeParser } | undefined {
    const p = buildTimeParser(c.layout_type, c.layout, c.location);
    if (typeof p === 'string') return void this.errors.push(`${where}: ${p}`);
    return { from: this.field(c.parse_from, where), p };
  }
  severity(c: Omit<SevCfg, 'parse_from'> & { parse_from: string }, where: string): { from: Field; m: SeverityMapper; overwrite: boolean } | undefined {
    const m = buildSeverityMapper(c.mapping, c.preset);
    if (typeof m === 'string') return void this.errors.push(`${where}: ${m}`);
    return { from: this.field(c.parse_from, where), m, overwrite: c.overwrite_text };
  }
}

function applyTime(e: Entry, t: { from: Field; p: TimeParser }): void {
  const v = getField(e, t.from);
  if (v === undefined) throw new Error(`timestamp: ${t.from.text} is missing`);
  e.record.timeUnixNano = t.p.parse(v);
}

function applySeverity(e: Entry, sv: { from: Field; m: SeverityMapper; overwrite: boolean }): void {
  const v = getField(e, sv.from);
  if (v === undefined) return;
  const n = sv.m.map(v);
  if (n === undefined) throw new Error(`severity: no mapping for ${JSON.stringify(String(v))}`);
  e.record.severityNumber = n;
  if (sv.overwrite || e.record.severityText === undefined) e.record.severityText = String(v);
}

/** Parsed fields go to `parse_to`: merged into attributes/resource, or set at a body path. */
function mergeInto(e: Entry, to: Field, parsed: KvList): void {
  // Into empty attributes (the usual first parser): take the fresh map instead of copying it.
  if (to.root === 'attributes' && to.keys.length === 0 && isEmpty(e.record.attributes)) {
    e.record.attributes = parsed;
    return;
  }
  setField(e, to, parsed);
}

function isEmpty(m: KvList): boolean {
  for (const _ in m) return false;
  return true;
}

export function makeOperator(type: OperatorType, cfg: Record<string, unknown>, where: string, b: Build): Operator | undefined {
  const id = (cfg.id as string | undefined) ?? type;
  const mk = (process: (e: Entry) => void): Operator => ({ type, id, process });
  switch (type) {
    case 'json_parser':
    case 'regex_parser':
    case 'key_value_parser':
    case 'syslog_parser': {
      const c = cfg as Infer<(typeof operatorSchemas)['key_value_parser']> & { regex?: string; protocol?: 'rfc3164' | 'rfc5424'; location?: string };
      const from = b.field(c.parse_from, where);
      const to = b.field(c.parse_to, where);
      const time = c.timestamp ? b.time(c.timestamp, `${where}.timestamp`) : undefined;
      const sev = c.severity ? b.severity(c.severity, `${where}.severity`) : undefined;
      let parse: ParseFn | undefined;
      let syslogTime: TimeParser | undefined;
      if (type === 'json_parser') parse = jsonParse;
      else if (type === 'regex_parser') {
        const r = buildRegexParse(c.regex!);
        if (typeof r === 'string') return void b.errors.push(`${where}: ${r}`);
        parse = r;
      } else if (type === 'key_value_parser') {
        const r = buildKeyValueParse(c.delimiter, c.pair_delimiter);
        if (typeof r === 'string') return void b.errors.push(`${where}: ${r}`);
        parse = r;
      } else {
        // RFC 5424 stamps are RFC 3339 and parsed directly; this layout is for RFC 3164.
        const t = buildTimeParser('strptime', '%b %e %H:%M:%S', c.location);
        if (typeof t === 'string') return void b.errors.push(`${where}: ${t}`);
        syslogTime = t;
      }
      const proto = c.protocol;
      return mk((e) => {
        const v = getField(e, from);
        if (typeof v !== 'string') throw new Error(`${type}: ${from.text} is not a string`);
        if (parse) mergeInto(e, to, parse(v));
        else {
          const r = syslogParse(proto!, v);
          mergeInto(e, to, r.fields);
          if (r.severityNumber !== undefined) {
            e.record.severityNumber = r.severityNumber;
            e.record.severityText = r.severityText;
          }
          if (r.timestamp) e.record.timeUnixNano = parseSyslogTime(r.timestamp, syslogTime!);
        }
        if (time) applyTime(e, time);
        if (sev) applySeverity(e, sev);
      });
    }
    case 'time_parser': {
      const c = cfg as Infer<(typeof operatorSchemas)['time_parser']>;
      const t = b.time({ parse_from: c.parse_from, layout_type: c.layout_type, layout: c.layout, location: c.location }, where);
      return t && mk((e) => applyTime(e, t));
    }
    case 'severity_parser': {
      const c = cfg as Infer<(typeof operatorSchemas)['severity_parser']>;
      const sv = b.severity(c, where);
      return sv && mk((e) => applySeverity(e, sv));
    }
    case 'move':
    case 'copy': {
      const c = cfg as { from: string; to: string };
      const from = b.field(c.from, where);
      const to = b.field(c.to, where);
      return mk((e) => {
        const v = type === 'move' ? deleteField(e, from) : getField(e, from);
        if (v === undefined) throw new Error(`${type}: ${from.text} is missing`);
        setField(e, to, type === 'copy' && typeof v === 'object' && v !== null && !(v instanceof Uint8Array) ? structuredClone(v) : v);
      });
    }
    case 'remove': {
      const f = b.field((cfg as { field: string }).field, where);
      return mk((e) => {
        if (deleteField(e, f) === undefined) throw new Error(`remove: ${f.text} is missing`);
      });
    }
    case 'filter': {
      const c = cfg as { expr: string; drop_ratio: number };
      let test;
      try {
        test = compileEntryExpr(c.expr);
      } catch (e) {
        return void b.errors.push(`${where}: ${(e as Error).message}`);
      }
      const ratio = c.drop_ratio;
      return mk((e) => {
        if (test(e) && (ratio >= 1 || Math.random() < ratio)) throw new FilteredOut();
      });
    }
    case 'add': {
      const c = cfg as { field: string; value: unknown };
      const f = b.field(c.field, where);
      const v = toAnyValue(c.value);
      return mk((e) => setField(e, f, typeof v === 'object' && v !== null && !(v instanceof Uint8Array) ? structuredClone(v) : v));
    }
  }
}

/** Thrown by the filter operator: the entry is dropped on purpose, whatever on_error says. */
export class FilteredOut extends Error {}

/** RFC 5424 stamps may carry fractions; RFC 3164 ones lack a year. */
function parseSyslogTime(ts: string, p3164: TimeParser): bigint {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(ts);
  if (m) {
    const ms = Date.parse(`${m[1]}${m[3]}`);
    if (Number.isNaN(ms)) throw new Error(`syslog_parser: bad timestamp ${ts}`);
    return BigInt(ms) * 1_000_000n + BigInt((m[2] ?? '').padEnd(9, '0'));
  }
  return p3164.parse(ts);
}

function toAnyValue(v: unknown): AnyValue {
  if (v === undefined || v === null) return null;
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  if (typeof v === 'string' || typeof v === 'boolean' || typeof v === 'number') return v;
  if (Array.isArray(v)) return v.map(toAnyValue);
  if (typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toAnyValue(x)]));
  return String(v);
}
