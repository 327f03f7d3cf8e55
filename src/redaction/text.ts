// Shared by the detectors: match spans, the per-string character statistics used as cheap
// gates, and the finder signature.

export interface Match {
  start: number;
  end: number;
  /** Index of the detector in the scanner's list; lower wins when spans overlap. */
  det: number;
}

/** Character statistics computed once per string to skip detectors that cannot match. */
export interface TextStats {
  digits: number;
  upper: number;
  colons: number;
  dots: number;
  at: boolean;
  plus: boolean;
  pct: boolean;
  /** The value belongs to a key that names a version (service.version): dotted quads are versions. */
  versionKey?: boolean;
}

export function textStats(t: string): TextStats {
  let digits = 0;
  let upper = 0;
  let colons = 0;
  let dots = 0;
  let at = false;
  let plus = false;
  let pct = false;
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c <= 57) {
      if (c >= 48) digits++;
      else if (c === 46) dots++;
      else if (c === 43) plus = true;
      else if (c === 37) pct = true;
    } else if (c <= 90) {
      if (c >= 65) upper++;
      else if (c === 58) colons++;
      else if (c === 64) at = true;
    }
  }
  return { digits, upper, colons, dots, at, plus, pct };
}

export type FindFn = (t: string, st: TextStats, det: number, out: Match[]) => void;

export function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

