// Runs a list of detectors over a string and resolves overlaps: when two spans overlap, the
// detector listed first wins (URL credentials before e-mail, JWT before bearer token, ...).
import { BUILTIN_FINDERS, BUILTIN_KINDS, regexFinder, textStats, type BuiltinKind, type FindFn, type Match } from './detectors.js';

export interface DetectorSpec {
  /** Detector name: a built-in kind or the name of a custom pattern. */
  name: string;
  find: FindFn;
}

export function builtinDetector(kind: BuiltinKind): DetectorSpec {
  return { name: kind, find: BUILTIN_FINDERS[kind] };
}

export function customDetector(name: string, pattern: RegExp): DetectorSpec {
  return { name, find: regexFinder(pattern) };
}

export function allBuiltinDetectors(): DetectorSpec[] {
  return BUILTIN_KINDS.map(builtinDetector);
}

export class Scanner {
  readonly detectors: readonly DetectorSpec[];
  /** Strings shorter than this cannot hold anything a detector finds. */
  private readonly minLength: number;

  constructor(detectors: DetectorSpec[]) {
    this.detectors = detectors;
    this.minLength = detectors.length === BUILTIN_KINDS.length && detectors.every((d, i) => d.name === BUILTIN_KINDS[i]) ? 6 : 1;
  }

  /** Non-overlapping matches sorted by start offset (empty array if none). */
  scan(text: string, versionKey = false): Match[] {
    if (text.length < this.minLength) return NONE;
    const st = textStats(text);
    if (versionKey) st.versionKey = true;
    const found: Match[] = [];
    for (let i = 0; i < this.detectors.length; i++) this.detectors[i]!.find(text, st, i, found);
    if (found.length <= 1) return found.length ? found : NONE;
    // Sweep by start offset; an overlapping span replaces the last kept one only if its
    // detector ranks higher (or, same detector, it is longer). Linear after the sort.
    found.sort((a, b) => a.start - b.start || a.det - b.det || b.end - a.end);
    const kept: Match[] = [found[0]!];
    for (let i = 1; i < found.length; i++) {
      const m = found[i]!;
      const last = kept[kept.length - 1]!;
      if (m.start >= last.end) kept.push(m);
      else if (m.det < last.det || (m.det === last.det && m.end - m.start > last.end - last.start)) {
        // m may not overlap the span before `last`: that one ended before last.start <= m.start.
        kept[kept.length - 1] = m;
      }
    }
    return kept;
  }
}

const NONE: Match[] = [];
