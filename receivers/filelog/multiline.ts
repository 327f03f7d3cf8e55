// Joins lines into records: by a start pattern (a matching line opens a new record) or an
// end pattern (a matching line closes it). Capped by max_log_size so a runaway stack trace
// cannot grow without bound.
import type { LineSink } from './splitter.js';
import type { MultilineConfig } from './config.js';

export interface Combiner {
  push: LineSink;
  /** Emit what is pending (idle timeout). Returns true if something was emitted. */
  flush(): boolean;
  /** Forget pending lines (the reader rewound). */
  reset(): void;
  readonly pending: boolean;
}

/** No multiline config: every line is a record. */
export function passThrough(out: LineSink): Combiner {
  return { push: out, flush: () => false, reset: () => {}, pending: false };
}

export function compileMultiline(cfg: MultilineConfig): { start?: RegExp; end?: RegExp; error?: string } {
  if (cfg.line_start_pattern !== undefined && cfg.line_end_pattern !== undefined)
    return { error: 'multiline: set only one of line_start_pattern and line_end_pattern' };
  if (cfg.line_start_pattern === undefined && cfg.line_end_pattern === undefined)
    return { error: 'multiline: set line_start_pattern or line_end_pattern' };
  try {
    return {
      start: cfg.line_start_pattern !== undefined ? new RegExp(cfg.line_start_pattern) : undefined,
      end: cfg.line_end_pattern !== undefined ? new RegExp(cfg.line_end_pattern) : undefined,
    };
  } catch (e) {
    return { error: `multiline: invalid pattern: ${(e as Error).message}` };
  }
}

export function multilineCombiner(cfg: MultilineConfig, maxSize: number, out: LineSink): Combiner {
  const { start, end } = compileMultiline(cfg);
  const omit = cfg.omit_pattern;
  let parts: string[] = [];
  let size = 0;
  let lastEnd = 0;
  let truncated = false;

  const emit = (): boolean => {
    if (parts.length === 0) return false;
    let text = parts.join('\n');
    if (text.length > maxSize) {
      text = text.slice(0, maxSize);
      truncated = true;
    }
    out(text, lastEnd, truncated);
    parts = [];
    size = 0;
    truncated = false;
    return true;
  };

  const add = (text: string, endOffset: number, cut: boolean): void => {
    parts.push(text);
    size += text.length + 1;
    lastEnd = endOffset;
    truncated ||= cut;
    if (size > maxSize) emit();
  };

  const c: Combiner = {
    push(text, endOffset, cut) {
      if (start) {
        const m = start.exec(text);
        if (m && parts.length > 0) emit();
        add(omit && m && m.index === 0 ? text.slice(m[0].length) : text, endOffset, cut);
      } else if (end) {
        const m = end.exec(text);
        add(omit && m ? text.slice(0, m.index) : text, endOffset, cut);
        if (m) emit();
      }
    },
    flush: emit,
    reset() {
      parts = [];
      size = 0;
      truncated = false;
    },
    get pending() {
      return parts.length > 0;
    },
  };
  return c;
}
