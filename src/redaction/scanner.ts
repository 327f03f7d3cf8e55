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
    // Highest-priority detector first, then longer spans; keep those that overlap nothing kept.
    found.sort((a, b) => a.det - b.det || b.end - b.start - (a.end - a.start) || a.start - b.start);
    const kept: Match[] = [];
    for (const m of found) {
      let clash = false;
      for (const k of kept)
        if (m.start < k.end && k.start < m.end) {
          clash = true;
          break;
        }
      if (!clash) kept.push(m);
    }
    kept.sort((a, b) => a.start - b.start);
    return kept;
  }
}

const NONE: Match[] = [];
