// Small inline SVG sparklines (latency per probe, counts per step).
import { s } from './dom.js';

export function sparkline(values: (number | null)[], opts: { width?: number; height?: number; bad?: boolean[]; title?: string } = {}): SVGSVGElement {
  const w = opts.width ?? 120;
  const hgt = opts.height ?? 24;
  const svg = s('svg', { class: 'spark', width: w, height: hgt, viewBox: `0 0 ${w} ${hgt}`, role: 'img', 'aria-label': opts.title ?? 'sparkline' });
  const nums = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (nums.length === 0) return svg;
  const max = Math.max(...nums, 1e-9);
  const dx = values.length > 1 ? w / (values.length - 1) : w;
  let d = '';
  values.forEach((v, i) => {
    if (v === null || !Number.isFinite(v)) return;
    const x = i * dx;
    const y = hgt - 2 - (v / max) * (hgt - 4);
    d += `${d === '' || values[i - 1] === null ? 'M' : 'L'}${x.toFixed(1)},${y.toFixed(1)}`;
  });
  svg.append(s('path', { d, fill: 'none', stroke: 'var(--accent)', 'stroke-width': 1.5 }));
  opts.bad?.forEach((b, i) => {
    if (b) svg.append(s('rect', { x: Math.max(0, i * dx - 1.5), y: 0, width: 3, height: hgt, fill: 'var(--bad)', opacity: 0.6 }));
  });
  if (opts.title) svg.append(s('title', {}, opts.title));
  return svg;
}
