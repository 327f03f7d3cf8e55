// Parser for the Prometheus text format 0.0.4 and OpenMetrics 1.0. A malformed line fails the
// whole scrape (as in Prometheus) with the line number in the message.
import type { FamilyType, Label } from './model.js';

export interface ParsedExemplar {
  labels: Label[];
  value: number;
  timestampMs?: number;
}

export interface ParsedSample {
  name: string;
  /** Without `__name__`, in exposition order. */
  labels: Label[];
  value: number;
  timestampMs?: number;
  exemplar?: ParsedExemplar;
}

export interface ParsedFamily {
  name: string;
  type: FamilyType;
  help: string;
  unit: string;
  samples: ParsedSample[];
}

const SUFFIXES: Record<FamilyType, string[]> = {
  counter: ['_total', '_created', ''],
  gauge: [''],
  histogram: ['_bucket', '_sum', '_count', '_created'],
  gaugehistogram: ['_bucket', '_gsum', '_gcount'],
  summary: ['_sum', '_count', '_created', ''],
  info: ['_info'],
  stateset: [''],
  unknown: [''],
};

const TYPES: Record<string, FamilyType> = {
  counter: 'counter', gauge: 'gauge', histogram: 'histogram', gaugehistogram: 'gaugehistogram',
  summary: 'summary', info: 'info', stateset: 'stateset', unknown: 'unknown', untyped: 'unknown',
};

export class ExpositionError extends Error {}

export function parseFloatValue(s: string): number {
  switch (s) {
    case 'NaN':
      return NaN;
    case '+Inf':
    case 'Inf':
    case '+inf':
    case 'inf':
      return Infinity;
    case '-Inf':
    case '-inf':
      return -Infinity;
  }
  if (!/^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(s) && !/^[+-]?0[xX][0-9a-fA-F]+$/.test(s)) throw new Error(`invalid number ${JSON.stringify(s)}`);
  return Number(s);
}

class LineScanner {
  pos = 0;
  constructor(readonly s: string) {}
  name(): string {
    const m = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(this.s.slice(this.pos));
    if (!m) throw new Error(`expected a name at column ${this.pos + 1}`);
    this.pos += m[0].length;
    return m[0];
  }
  spaces(): void {
    while (this.s[this.pos] === ' ' || this.s[this.pos] === '\t') this.pos++;
  }
  labels(): Label[] {
    const out: Label[] = [];
    if (this.s[this.pos] !== '{') return out;
    this.pos++;
    for (;;) {
      this.spaces();
      if (this.s[this.pos] === '}') {
        this.pos++;
        return out;
      }
      const name = this.name();
      this.spaces();
      if (this.s[this.pos] !== '=') throw new Error(`expected = after label ${name}`);
      this.pos++;
      this.spaces();
      out.push({ name, value: this.quoted() });
      this.spaces();
      if (this.s[this.pos] === ',') this.pos++;
      else if (this.s[this.pos] !== '}') throw new Error(`expected , or } at column ${this.pos + 1}`);
    }
  }
  quoted(): string {
    if (this.s[this.pos] !== '"') throw new Error(`expected a quoted label value at column ${this.pos + 1}`);
    this.pos++;
    let out = '';
    for (;;) {
      const c = this.s[this.pos++];
      if (c === undefined) throw new Error('unterminated label value');
      if (c === '"') return out;
      if (c === '\\') {
        const n = this.s[this.pos++];
        out += n === 'n' ? '\n' : n === '\\' ? '\\' : n === '"' ? '"' : `\\${n ?? ''}`;
      } else out += c;
    }
  }
  token(): string {
    this.spaces();
    const start = this.pos;
    while (this.pos < this.s.length && this.s[this.pos] !== ' ' && this.s[this.pos] !== '\t') this.pos++;
    return this.s.slice(start, this.pos);
  }
}

function parseTimestamp(tok: string, openMetrics: boolean): number {
  const v = Number(tok);
  if (tok === '' || !Number.isFinite(v)) throw new Error(`invalid timestamp ${JSON.stringify(tok)}`);
  return openMetrics ? Math.round(v * 1000) : Math.trunc(v);
}

function unescapeHelp(s: string): string {
  return s.replace(/\\(n|\\)/g, (_m, c: string) => (c === 'n' ? '\n' : '\\'));
}

export function parseExposition(text: string, openMetrics: boolean): ParsedFamily[] {
  const families = new Map<string, ParsedFamily>();
  const order: ParsedFamily[] = [];
  let current: ParsedFamily | undefined;
  let sawEof = false;
  const family = (name: string): ParsedFamily => {
    let f = families.get(name);
    if (!f) {
      f = { name, type: 'unknown', help: '', unit: '', samples: [] };
      families.set(name, f);
      order.push(f);
    }
    return f;
  };
  const owner = (sample: string): ParsedFamily => {
    if (current && SUFFIXES[current.type].some((sfx) => sample === current!.name + sfx)) return current;
    for (const f of order) if (SUFFIXES[f.type].some((sfx) => sample === f.name + sfx)) return f;
    return family(sample);
  };
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (sawEof && line.trim() !== '') throw new ExpositionError(`line ${i + 1}: content after # EOF`);
    try {
      if (line.trim() === '') continue;
      if (line.startsWith('#')) {
        const m = /^#\s*(HELP|TYPE|UNIT|EOF)\b\s*(.*)$/.exec(line);
        if (!m) continue; // a plain comment
        if (m[1] === 'EOF') {
          sawEof = true;
          continue;
        }
        const rest = m[2]!;
        const sp = rest.search(/[ \t]/);
        const name = sp < 0 ? rest : rest.slice(0, sp);
        const arg = sp < 0 ? '' : rest.slice(sp + 1);
        if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name)) throw new Error(`invalid metric name ${JSON.stringify(name)}`);
        current = family(name);
        if (m[1] === 'HELP') current.help = openMetrics ? arg.replace(/\\"/g, '"') : unescapeHelp(arg);
        else if (m[1] === 'UNIT') current.unit = arg.trim();
        else {
          const t = TYPES[arg.trim()];
          if (!t) throw new Error(`unknown metric type ${JSON.stringify(arg.trim())}`);
          if (current.samples.length > 0) throw new Error(`TYPE for ${name} after its samples`);
          current.type = t;
        }
        continue;
      }
      const sc = new LineScanner(line);
      const name = sc.name();
      const labels = sc.labels();
      const value = parseFloatValue(sc.token());
      const sample: ParsedSample = { name, labels, value };
      sc.spaces();
      if (sc.pos < line.length && line[sc.pos] !== '#') sample.timestampMs = parseTimestamp(sc.token(), openMetrics);
      sc.spaces();
      if (line[sc.pos] === '#') {
        sc.pos++;
        sc.spaces();
        const ex: ParsedExemplar = { labels: sc.labels(), value: parseFloatValue(sc.token()) };
        const ts = sc.token();
        if (ts) ex.timestampMs = Math.round(Number(ts) * 1000);
        sample.exemplar = ex;
      }
      sc.spaces();
      if (sc.pos < line.length) throw new Error(`unexpected text at column ${sc.pos + 1}`);
      owner(name).samples.push(sample);
    } catch (e) {
      if (e instanceof ExpositionError) throw e;
      throw new ExpositionError(`line ${i + 1}: ${(e as Error).message}`);
    }
  }
  if (openMetrics && !sawEof) throw new ExpositionError('OpenMetrics exposition without # EOF');
  return order.filter((f) => f.samples.length > 0);
}
