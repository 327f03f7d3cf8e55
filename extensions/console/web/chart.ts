// A time-series chart on uPlot (canvas): series lines, the latest values as text (the test
// compares them with /api/v1/query), markers (anomaly onsets), dashed forecasts drawn ahead of
// the line, and drag-to-zoom reported to the page.
import uPlot from 'uplot';
import { h } from './dom.js';
import { clock, fmt, type Unit } from './format.js';
import { isolated } from './isolated.js';

export const PALETTE = ['#3b82f6', '#f59e0b', '#10b981', '#ef4444', '#8b5cf6', '#06b6d4', '#ec4899', '#84cc16', '#f97316', '#64748b'];

export interface Marker {
  t: number; // seconds
  label: string;
}

export interface Forecast {
  /** From (t, y) on the line to (t, y) ahead, in data units. */
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  series: number; // index into the series list, for the colour
  label: string;
}

export interface SeriesData {
  label: string;
  values: (number | null)[];
}

export interface ChartOptions {
  title: string;
  unit: Unit;
  /** PromQL shown on hover and read by tests (what the values mean). */
  exprs: string[];
  height?: number;
  /** y axis fixed at 0..max (percentages). */
  yMax?: number;
  onZoom?: (min: number, max: number) => void;
}

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

export class TimeChart {
  readonly el: HTMLElement;
  private plot?: uPlot;
  private readonly body: HTMLElement;
  private readonly summary: HTMLElement;
  private markers: Marker[] = [];
  private forecasts: Forecast[] = [];
  private xs: number[] = [];
  private series: SeriesData[] = [];
  private xMin?: number;
  private xMax?: number;
  private resize?: ResizeObserver;
  private labelsKey = '';
  /** setData was called and the canvas has not drawn it yet (data-drawn-at is set by the draw). */
  private pending = false;

  constructor(private readonly opts: ChartOptions) {
    this.summary = h('div', { class: 'chart-summary' });
    this.body = h('div', { class: 'chart-body' });
    this.el = h(
      'section',
      { class: 'chart card', 'data-title': opts.title, 'data-exprs': JSON.stringify(opts.exprs) },
      h('header', {}, h('h3', { title: opts.exprs.join('\n') }, opts.title), this.summary),
      this.body,
    );
  }

  get title(): string {
    return this.opts.title;
  }

  setMarkers(m: Marker[]): void {
    this.markers = m;
    this.plot?.redraw(false, false);
  }

  setForecasts(f: Forecast[]): void {
    this.forecasts = f;
  }

  /** Aligned data: xs in seconds, one values array per series; x range explicit (may reach ahead). */
  setData(xs: number[], series: SeriesData[], xMin: number, xMax: number): void {
    this.xs = xs;
    this.series = series;
    this.xMin = xMin;
    this.xMax = xMax;
    const key = series.map((s) => s.label).join('\u0000');
    if (!this.plot || key !== this.labelsKey) this.build();
    else {
      this.plot.setData([xs, ...series.map((s) => s.values)] as uPlot.AlignedData, false);
      this.plot.setScale('x', { min: xMin, max: xMax });
    }
    this.renderSummary();
    this.el.dataset.points = String(xs.length);
    this.pending = true;
  }

  private renderSummary(): void {
    // The latest non-null value of each series, with its timestamp (data-last: for tests).
    const last: { label: string; t: number; v: number }[] = [];
    for (const s of this.series) {
      for (let i = s.values.length - 1; i >= 0; i--) {
        const v = s.values[i];
        if (v !== null && v !== undefined) {
          last.push({ label: s.label, t: this.xs[i]!, v });
          break;
        }
      }
    }
    this.el.dataset.last = JSON.stringify(last);
    this.summary.replaceChildren(
      ...last.slice(0, 6).map((l, i) => h('span', { class: 'chip', title: `${l.label} at ${clock(l.t * 1000)}` }, h('i', { class: 'swatch', style: `background:${PALETTE[this.series.findIndex((s) => s.label === l.label) % PALETTE.length] ?? PALETTE[i]}` }), `${l.label} ${fmt(l.v, this.opts.unit)}`)),
      ...(last.length > 6 ? [h('span', { class: 'chip more' }, `+${last.length - 6}`)] : []),
    );
  }

  private build(): void {
    this.plot?.destroy();
    this.labelsKey = this.series.map((s) => s.label).join('\u0000');
    const width = Math.max(200, this.body.clientWidth || this.el.clientWidth - 24 || 400);
    const axis = cssVar('--fg-dim');
    const grid = cssVar('--grid');
    const unit = this.opts.unit;
    const opts: uPlot.Options = {
      width,
      height: this.opts.height ?? 180,
      legend: { show: false },
      cursor: { drag: { x: true, y: false, setScale: false } },
      scales: {
        x: { time: true, range: () => [this.xMin ?? 0, this.xMax ?? 1] },
        y: { range: (_u, min, max) => (this.opts.yMax !== undefined ? [0, Math.max(this.opts.yMax, max)] : [Math.min(0, min), max <= 0 ? 1 : max * 1.05]) },
      },
      axes: [
        { stroke: axis, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid } },
        { stroke: axis, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid }, size: 74, values: (_u, vals) => vals.map((v) => fmt(v, unit)) },
      ],
      series: [
        { value: (_u, v) => (v == null ? '' : clock(v * 1000)) },
        ...this.series.map((s, i) => ({
          label: s.label,
          stroke: PALETTE[i % PALETTE.length],
          width: 1.5,
          // A point with no neighbour is no line segment: drawn as a dot, or it would not show.
          points: { show: false, size: 5, fill: PALETTE[i % PALETTE.length], filter: (u: uPlot, si: number) => isolated(u.data[si] as (number | null)[]) },
          spanGaps: false,
          value: (_u: uPlot, v: number | null) => fmt(v, unit),
        })),
      ],
      hooks: {
        setSelect: [
          (u) => {
            if (u.select.width < 4) return;
            const min = u.posToVal(u.select.left, 'x');
            const max = u.posToVal(u.select.left + u.select.width, 'x');
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
            this.opts.onZoom?.(min, max);
          },
        ],
        draw: [(u) => this.drawOverlays(u)],
      },
    };
    this.plot = new uPlot(opts, [this.xs, ...this.series.map((s) => s.values)] as uPlot.AlignedData, this.body);
    this.resize?.disconnect();
    this.resize = new ResizeObserver(() => {
      const w = this.body.clientWidth;
      if (this.plot && w > 0 && Math.abs(w - this.plot.width) > 2) this.plot.setSize({ width: w, height: this.opts.height ?? 180 });
    });
    this.resize.observe(this.body);
  }

  private drawOverlays(u: uPlot): void {
    const ctx = u.ctx;
    const dpr = devicePixelRatio || 1;
    ctx.save();
    // Forecasts: dashed, from the last point to where the line is headed.
    for (const f of this.forecasts) {
      const x0 = u.valToPos(f.x0, 'x', true);
      const x1 = u.valToPos(f.x1, 'x', true);
      const y0 = u.valToPos(f.y0, 'y', true);
      const y1 = u.valToPos(f.y1, 'y', true);
      ctx.strokeStyle = PALETTE[f.series % PALETTE.length]!;
      ctx.setLineDash([6 * dpr, 4 * dpr]);
      ctx.lineWidth = 1.5 * dpr;
      ctx.beginPath();
      ctx.moveTo(x0, y0);
      ctx.lineTo(x1, y1);
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = cssVar('--fg-dim');
      ctx.font = `${11 * dpr}px system-ui, sans-serif`;
      ctx.fillText(f.label, Math.min(x1, u.bbox.left + u.bbox.width - 120 * dpr), Math.max(y1, u.bbox.top + 12 * dpr));
    }
    // Anomaly onsets: a red rule with a triangle on top.
    for (const m of this.markers) {
      if (this.xMin !== undefined && (m.t < this.xMin || m.t > (this.xMax ?? Infinity))) continue;
      const x = u.valToPos(m.t, 'x', true);
      ctx.strokeStyle = cssVar('--bad');
      ctx.fillStyle = cssVar('--bad');
      ctx.lineWidth = 1.5 * dpr;
      ctx.beginPath();
      ctx.moveTo(x, u.bbox.top);
      ctx.lineTo(x, u.bbox.top + u.bbox.height);
      ctx.stroke();
      ctx.beginPath();
      ctx.moveTo(x - 5 * dpr, u.bbox.top);
      ctx.lineTo(x + 5 * dpr, u.bbox.top);
      ctx.lineTo(x, u.bbox.top + 7 * dpr);
      ctx.fill();
    }
    ctx.restore();
    this.el.dataset.markers = String(this.markers.length);
    this.el.dataset.forecasts = String(this.forecasts.length);
    // What this draw put where (read by tests, which map the values to canvas pixels themselves
    // and look for each series' colour there): the plot area in canvas pixels, the scales, and per
    // series its colour and newest segment (its last two points on consecutive steps, or the one
    // isolated point drawn as a dot).
    const drawn: { label: string; colour: string; points: [number, number][] }[] = [];
    this.series.forEach((s, si) => {
      let j = s.values.length - 1;
      while (j >= 0 && (s.values[j] === null || s.values[j] === undefined)) j--;
      if (j < 0) return;
      const points: [number, number][] = [[this.xs[j]!, s.values[j]!]];
      const p = s.values[j - 1];
      if (j > 0 && p !== null && p !== undefined) points.unshift([this.xs[j - 1]!, p]);
      drawn.push({ label: s.label, colour: PALETTE[si % PALETTE.length]!, points });
    });
    const x = u.scales.x!;
    const y = u.scales.y!;
    this.el.dataset.plot = JSON.stringify({ left: u.bbox.left, top: u.bbox.top, width: u.bbox.width, height: u.bbox.height, x: [x.min, x.max], y: [y.min, y.max], series: drawn });
    if (this.pending) {
      this.pending = false;
      this.el.dataset.drawnAt = String(Date.now());
    }
  }

  destroy(): void {
    this.resize?.disconnect();
    this.plot?.destroy();
    this.plot = undefined;
  }
}

/** Aligns range-query series on the step grid [start, end]. */
export function align(startSec: number, endSec: number, stepSec: number, series: { label: string; values: [number, string][] }[]): { xs: number[]; series: SeriesData[] } {
  const n = Math.max(0, Math.round((endSec - startSec) / stepSec) + 1);
  const xs = Array.from({ length: n }, (_, i) => startSec + i * stepSec);
  return {
    xs,
    series: series.map((s) => {
      const values: (number | null)[] = new Array(n).fill(null);
      for (const [t, v] of s.values) {
        const i = Math.round((t - startSec) / stepSec);
        if (i >= 0 && i < n) values[i] = Number(v);
      }
      return { label: s.label, values };
    }),
  };
}
