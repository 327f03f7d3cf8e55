// StatsD / DogStatsD line parser:
//   <name>:<value>[:<value>…]|<type>[|@<rate>][|#<tag>[:<v>],…][|c:<container>][|T<unix ts>]
// types: c counter, g gauge (+/- prefix = change), ms timer, h histogram, d distribution, s set.
import type { Attributes } from '../../src/pdata/types.js';

export type SampleType = 'counter' | 'gauge' | 'timing' | 'histogram' | 'distribution' | 'set';

export interface Sample {
  name: string;
  type: SampleType;
  /** Numeric values (sets keep the raw member in `member`). */
  values: number[];
  /** Gauge only: values are changes, not absolute. */
  delta: boolean;
  member?: string;
  rate: number;
  attrs: Attributes;
}

const TYPES: Record<string, SampleType> = { c: 'counter', g: 'gauge', ms: 'timing', h: 'histogram', d: 'distribution', s: 'set' };

export class ParseError extends Error {}

export function parseLine(line: string, simpleTags: boolean): Sample {
  const colon = line.indexOf(':');
  const bar = line.indexOf('|');
  if (colon <= 0 || bar < 0 || bar < colon) throw new ParseError('expected <name>:<value>|<type>');
  const name = line.slice(0, colon);
  if (/[\s|#@]/.test(name)) throw new ParseError(`invalid metric name ${JSON.stringify(name)}`);
  const parts = line.slice(bar + 1).split('|');
  const type = TYPES[parts[0]!];
  if (!type) throw new ParseError(`unknown metric type ${JSON.stringify(parts[0])}`);
  const raw = line.slice(colon + 1, bar);
  let rate = 1;
  const attrs: Attributes = {};
  for (const p of parts.slice(1)) {
    if (p.startsWith('@')) {
      rate = Number(p.slice(1));
      if (!(rate > 0 && rate <= 1)) throw new ParseError(`invalid sample rate ${JSON.stringify(p)}`);
    } else if (p.startsWith('#')) {
      for (const tag of p.slice(1).split(',')) {
        if (tag === '') continue;
        const i = tag.indexOf(':');
        if (i < 0) {
          if (!simpleTags) throw new ParseError(`tag ${JSON.stringify(tag)} has no value (enable_simple_tags accepts it)`);
          attrs[tag] = '';
        } else if (i === 0) throw new ParseError(`tag ${JSON.stringify(tag)} has an empty key`);
        else attrs[tag.slice(0, i)] = tag.slice(i + 1);
      }
    } else if (p.startsWith('c:') || p.startsWith('T') || p === '') {
      // DogStatsD container id and client timestamp: accepted, not used.
    } else throw new ParseError(`unknown field ${JSON.stringify(p)}`);
  }
  if (type === 'set') return { name, type, values: [], delta: false, member: raw, rate, attrs };
  const list = type === 'timing' || type === 'histogram' || type === 'distribution' ? raw.split(':') : [raw];
  const values: number[] = [];
  let delta = false;
  for (const v of list) {
    if (type === 'gauge' && (v.startsWith('+') || v.startsWith('-'))) delta = true;
    const n = v.trim() === '' ? NaN : Number(v);
    if (!Number.isFinite(n)) throw new ParseError(`invalid value ${JSON.stringify(v)}`);
    values.push(n);
  }
  return { name, type, values, delta, rate, attrs };
}
