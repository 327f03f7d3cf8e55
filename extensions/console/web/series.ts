// Samples of a chart's series kept between polls: a live window fetches only its last few steps
// each time and drops what scrolled out, instead of asking for the whole range again.
import type { MatrixSeries } from './api.js';
import { num } from './api.js';

export class SeriesCache {
  private readonly byLabel = new Map<string, Map<number, number>>();

  merge(label: string, values: [number, string][]): void {
    let m = this.byLabel.get(label);
    if (!m) this.byLabel.set(label, (m = new Map()));
    for (const [t, v] of values) m.set(Math.round(t * 1000) / 1000, num(v));
  }

  /** Drops samples before `start` and series without samples left. */
  trim(start: number): void {
    for (const [k, m] of this.byLabel) {
      for (const t of m.keys()) if (t < start) m.delete(t);
      if (m.size === 0) this.byLabel.delete(k);
    }
  }

  clear(): void {
    this.byLabel.clear();
  }

  labels(): string[] {
    return [...this.byLabel.keys()].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  }

  /** Aligned on the step grid of [start, end]. */
  aligned(start: number, end: number, step: number): { xs: number[]; series: { label: string; values: (number | null)[] }[] } {
    const n = Math.max(0, Math.round((end - start) / step) + 1);
    const xs = Array.from({ length: n }, (_, i) => start + i * step);
    const series = this.labels().map((label) => {
      const m = this.byLabel.get(label)!;
      const values: (number | null)[] = new Array(n).fill(null);
      for (const [t, v] of m) {
        const i = Math.round((t - start) / step);
        if (i >= 0 && i < n && Number.isFinite(v)) values[i] = v;
      }
      return { label, values };
    });
    return { xs, series };
  }
}

export function legendOf(m: Record<string, string>, keys: readonly string[]): string {
  const parts = keys.map((k) => m[k]).filter((v): v is string => v !== undefined && v !== '');
  return parts.length ? parts.join(' ') : (m.__name__ ?? 'value');
}

export type { MatrixSeries };
