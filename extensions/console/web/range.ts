// The time window of a page (5 m … 7 d, live or fixed after a zoom or pan), the query step chosen
// from the window and the chart width, and the history's tiers: 1 s raw for a day, 1 min roll-ups
// for 14 days, 1 h beyond. Asking finer than the tier holds only costs bytes.
import { h } from './dom.js';
import { durText } from './format.js';

export const RANGES: readonly number[] = [300, 900, 3600, 6 * 3600, 86400, 7 * 86400];
const NICE = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];

export interface Window {
  range: number; // seconds
  /** Fixed end (seconds) after a zoom or pan; undefined: live, ending now. */
  end?: number;
}

export function nice(x: number): number {
  for (const n of NICE) if (n >= x) return n;
  return Math.ceil(x / 86400) * 86400;
}

/** Step for a window drawn `widthPx` wide over data collected every `resolution` seconds. */
export function stepFor(w: Window, widthPx: number, resolution: number, nowSec = Date.now() / 1000): number {
  const start = (w.end ?? nowSec) - w.range;
  // About one point per pixel, as Grafana's max data points.
  const raw = w.range / Math.max(60, Math.floor(widthPx));
  const age = nowSec - start;
  const tier = age > 14 * 86400 ? 3600 : age > 86400 ? 60 : 0;
  return nice(Math.max(raw, resolution, tier, 1));
}

/** The `[window]` of rate(): at least four samples, and at least two steps (no gaps between points). */
export function rateWindow(step: number, resolution: number): string {
  return durText(nice(Math.max(4 * resolution, 2 * step)));
}

/** [start, end] aligned to the step, so successive polls hit the same timestamps. */
export function bounds(w: Window, step: number, nowSec = Date.now() / 1000): { start: number; end: number } {
  const end = Math.floor((w.end ?? nowSec) / step) * step;
  return { start: end - Math.ceil(w.range / step) * step, end };
}

/** The range buttons, zoom-out and pan controls; `onChange` gets the new window. */
export type Picker = HTMLElement & { render(): void };

export function rangePicker(get: () => Window, onChange: (w: Window) => void): Picker {
  const bar = h('div', { class: 'range-picker', role: 'toolbar', 'aria-label': 'time range' });
  const render = () => {
    const w = get();
    bar.replaceChildren(
      h('button', { class: 'btn', title: 'earlier (←)', 'aria-label': 'earlier', onclick: () => pan(-0.5) }, '◀'),
      ...RANGES.map((r) =>
        h('button', { class: `btn${w.range === r && w.end === undefined ? ' active' : ''}`, 'data-range': durText(r), 'aria-pressed': String(w.range === r && w.end === undefined), onclick: () => onChange({ range: r }) }, durText(r)),
      ),
      h('button', { class: 'btn', title: 'later (→)', 'aria-label': 'later', onclick: () => pan(0.5) }, '▶'),
      w.end !== undefined ? h('button', { class: 'btn live', title: 'back to live (Esc)', onclick: () => onChange({ range: w.range }) }, '● live') : h('span', { class: 'live-dot', title: 'live' }, '● live'),
    );
  };
  const pan = (by: number) => {
    const w = get();
    const now = Date.now() / 1000;
    const end = (w.end ?? now) + by * w.range;
    onChange(end >= now ? { range: w.range } : { range: w.range, end });
  };
  const picker = Object.assign(bar, { render });
  render();
  return picker;
}

/** Keys shared by the pages with a time window: [ ] narrower/wider, ← → pan, Esc live. */
export function rangeKeys(e: KeyboardEvent, get: () => Window, set: (w: Window) => void): boolean {
  const w = get();
  const i = RANGES.indexOf(w.range);
  if (e.key === '[' && i > 0) set({ range: RANGES[i - 1]!, end: w.end });
  else if (e.key === ']' && i >= 0 && i < RANGES.length - 1) set({ range: RANGES[i + 1]!, end: w.end });
  else if (e.key === ']' && i < 0) set({ range: RANGES.find((r) => r > w.range) ?? RANGES[RANGES.length - 1]!, end: w.end });
  else if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') {
    const now = Date.now() / 1000;
    const end = Math.round((w.end ?? now) + (e.key === 'ArrowLeft' ? -0.5 : 0.5) * w.range);
    set(end >= now ? { range: w.range } : { range: w.range, end });
  } else if (e.key === 'Escape' && w.end !== undefined) set({ range: w.range });
  else return false;
  return true;
}
