// Go's fmt.Sprintf for OTTL's Format(): the verbs a config uses (%s %d %v %f %e %g %x %X %o %b
// %q %t %c %%), flags (- + 0 space #), width and precision. Mismatches read as Go prints them
// (%!d(string=x), %!(EXTRA …), %!s(MISSING)).
import { asString, formatDouble, isNil, toJson, typeName, type Val } from './values.js';

function goValue(v: Val): string {
  if (isNil(v)) return '<nil>';
  if (typeof v === 'number') return formatDouble(v);
  if (Array.isArray(v) || (typeof v === 'object' && !(v instanceof Uint8Array) && !('ns' in v))) return toJson(v);
  if (v instanceof Uint8Array) return `[${[...v].join(' ')}]`;
  return asString(v);
}

const bad = (verb: string, v: Val) => `%!${verb}(${typeName(v)}=${goValue(v)})`;

function pad(s: string, width: number | undefined, left: boolean, zero: boolean): string {
  if (width === undefined || s.length >= width) return s;
  if (left) return s.padEnd(width);
  if (zero) {
    const sign = /^[+-]/.test(s) ? s[0]! : '';
    return sign + s.slice(sign.length).padStart(width - sign.length, '0');
  }
  return s.padStart(width);
}

function gFormat(n: number, prec: number | undefined): string {
  if (prec === undefined) return formatDouble(n);
  const p = prec === 0 ? 1 : prec;
  const exp = n === 0 ? 0 : Math.floor(Math.log10(Math.abs(n)));
  if (exp < -4 || exp >= p) return eFormat(n, p - 1).replace(/\.?0+e/, 'e');
  return String(Number(n.toPrecision(p)));
}
function eFormat(n: number, prec = 6): string {
  const [m, e] = n.toExponential(prec).split('e');
  const x = Number(e);
  return `${m}e${x < 0 ? '-' : '+'}${String(Math.abs(x)).padStart(2, '0')}`;
}

export function sprintf(format: string, args: Val[]): string {
  let out = '';
  let ai = 0;
  const re = /%([-+ 0#]*)(\d+)?(?:\.(\d*))?([a-zA-Z%])/g;
  let last = 0;
  for (let m = re.exec(format); m !== null; m = re.exec(format)) {
    out += format.slice(last, m.index);
    last = re.lastIndex;
    const [, flags = '', w, p, verb] = m;
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (ai >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    const v = args[ai++];
    const width = w === undefined ? undefined : Number(w);
    const prec = p === undefined ? undefined : p === '' ? 0 : Number(p);
    const left = flags.includes('-');
    const zero = flags.includes('0') && !left;
    const plus = flags.includes('+');
    const space = flags.includes(' ');
    const signed = (s: string, neg: boolean) => (neg ? s : plus ? `+${s}` : space ? ` ${s}` : s);
    let s: string;
    switch (verb) {
      case 'v':
        s = goValue(v);
        break;
      case 's':
        s = typeof v === 'string' || typeof v === 'boolean' || typeof v === 'bigint' || typeof v === 'number' || isNil(v) ? goValue(v) : goValue(v);
        if (prec !== undefined) s = [...s].slice(0, prec).join('');
        break;
      case 'q':
        s = typeof v === 'string' ? JSON.stringify(v) : bad(verb, v);
        break;
      case 't':
        s = typeof v === 'boolean' ? String(v) : bad(verb, v);
        break;
      case 'd':
        s = typeof v === 'bigint' ? signed(String(v), v < 0n) : bad(verb, v);
        break;
      case 'b':
      case 'o':
      case 'x':
      case 'X': {
        const base = verb === 'b' ? 2 : verb === 'o' ? 8 : 16;
        if (typeof v === 'bigint') s = signed((v < 0n ? '-' : '') + (v < 0n ? -v : v).toString(base), v < 0n);
        else if (typeof v === 'string' && base === 16) s = Buffer.from(v).toString('hex');
        else if (v instanceof Uint8Array && base === 16) s = Buffer.from(v).toString('hex');
        else s = bad(verb, v);
        if (verb === 'X') s = s.toUpperCase();
        if (flags.includes('#') && typeof v === 'bigint') s = (verb === 'o' ? '0' : verb === 'b' ? '0b' : verb === 'x' ? '0x' : '0X') + s;
        break;
      }
      case 'c':
        s = typeof v === 'bigint' ? String.fromCodePoint(Number(v)) : bad(verb, v);
        break;
      case 'f':
      case 'F':
      case 'e':
      case 'E':
      case 'g':
      case 'G': {
        if (typeof v !== 'number') {
          s = bad(verb, v);
          break;
        }
        const lower = verb.toLowerCase();
        s = lower === 'f' ? v.toFixed(prec ?? 6) : lower === 'e' ? eFormat(v, prec ?? 6) : gFormat(v, prec);
        if (verb === 'E' || verb === 'G') s = s.toUpperCase();
        s = signed(s, v < 0 || Object.is(v, -0));
        break;
      }
      default:
        s = `%!${verb}(${typeName(v)}=${goValue(v)})`;
    }
    out += pad(s, width, left, zero && /[dfFeEgGxXob]/.test(verb));
  }
  out += format.slice(last);
  if (ai < args.length) out += `%!(EXTRA ${args.slice(ai).map((v) => `${typeName(v)}=${goValue(v)}`).join(', ')})`;
  return out;
}
