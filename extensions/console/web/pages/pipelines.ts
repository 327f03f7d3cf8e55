// Pipelines: the running graph (receivers → processors → exporters, connectors joining
// pipelines), live items/s on every edge, nodes coloured by state and errors; a click opens the
// component's config (redacted by the agent), counters, queue fill and a live tap of its records.
import { api } from '../api.js';
import { clear, h, s } from '../dom.js';
import { fmt } from '../format.js';
import type { Scope } from '../live.js';
import { readTap, records, type Line } from '../otlp.js';
import type { Page } from '../page.js';

interface Node { key: string; kind: string; id: string; type: string; pipeline?: string; signals: string[]; state: string }
interface Edge { from: string; to: string; pipeline: string; signal: string; items_total: number | null; items_per_second: number | null }
interface Pipelines { pipelines: { id: string; signal: string; receivers: string[]; processors: string[]; exporters: string[] }[]; nodes: Node[]; edges: Edge[] }
interface Component { key: string; kind: string; id: string; type: string; pipeline?: string; state: string; error?: string; items: { in: number; out: number; refused: number; failed: number; dropped: number; queue?: { size: number; capacity: number }; in_per_second: number | null; out_per_second: number | null }; counters: Record<string, number> }
interface Components { health: unknown; process: { cpu_utilization?: number | null; resident_memory_bytes?: number; uptime_seconds?: number }; components: Component[] }

const W = 170;
const H = 44;
const GX = 90;
const GY = 18;

/** Columns by longest path from the sources; rows in pipeline order. */
export function layout(nodes: Node[], edges: Edge[], pipelineOrder: string[]): Map<string, { x: number; y: number; col: number }> {
  const incoming = new Map<string, string[]>();
  for (const e of edges) incoming.set(e.to, [...(incoming.get(e.to) ?? []), e.from]);
  const col = new Map<string, number>();
  const depth = (k: string, seen: Set<string>): number => {
    if (col.has(k)) return col.get(k)!;
    if (seen.has(k)) return 0;
    seen.add(k);
    const d = Math.max(-1, ...(incoming.get(k) ?? []).map((p) => depth(p, seen))) + 1;
    col.set(k, d);
    return d;
  };
  for (const n of nodes) depth(n.key, new Set());
  // Exporters at the far right of their pipelines; connectors where their inputs put them.
  const maxCol = Math.max(0, ...col.values());
  for (const n of nodes) if (n.kind === 'exporter') col.set(n.key, Math.max(col.get(n.key)!, maxCol));
  const firstPipeline = (n: Node) => {
    const ps = edges.filter((e) => e.from === n.key || e.to === n.key).map((e) => pipelineOrder.indexOf(e.pipeline));
    return ps.length ? Math.min(...ps) : 999;
  };
  const cols = new Map<number, Node[]>();
  for (const n of nodes) cols.set(col.get(n.key)!, [...(cols.get(col.get(n.key)!) ?? []), n]);
  const pos = new Map<string, { x: number; y: number; col: number }>();
  for (const [c, ns] of cols) {
    ns.sort((a, b) => firstPipeline(a) - firstPipeline(b) || a.key.localeCompare(b.key));
    ns.forEach((n, i) => pos.set(n.key, { x: 20 + c * (W + GX), y: 30 + i * (H + GY), col: c }));
  }
  return pos;
}

function nodeClass(n: Node, c: Component | undefined, prev: Component | undefined): string {
  if (n.state === 'failed' || c?.error) return 'failed';
  if (n.state !== 'running') return n.state;
  const grew = (k: 'refused' | 'failed' | 'dropped') => c && prev && c.items[k] > prev.items[k];
  if (grew('refused') || grew('failed') || grew('dropped')) return 'degraded';
  return 'running';
}

export const pipelinesPage: Page = {
  id: 'pipelines',
  title: 'Pipelines',
  key: 'p',
  mount(root: HTMLElement, scope: Scope, params: URLSearchParams) {
    const status = h('div', { class: 'status-line', 'aria-live': 'polite' });
    const graphWrap = h('div', { class: 'graph-wrap card' });
    const panel = h('aside', { class: 'panel card', 'aria-label': 'component' });
    const layoutEl = h('div', { class: 'pipe-layout' }, graphWrap);
    root.append(h('div', { class: 'toolbar' }, h('h2', {}, 'Pipelines'), status), layoutEl);
    let selected: string | undefined = params.get('component') ?? undefined;
    let comps = new Map<string, Component>();
    let prevComps = new Map<string, Component>();
    let config: Record<string, Record<string, unknown> | undefined> = {};
    let last: Pipelines | undefined;
    let tapStop: AbortController | undefined;
    let paused = false;
    let filter = '';
    const lines: Line[] = [];
    let tapBox: HTMLElement | undefined;
    let tapInfo: HTMLElement | undefined;
    let detail: HTMLElement | undefined;

    void api<Record<string, Record<string, unknown>>>('/api/v1/status/effective_config').then((c) => (config = c), () => undefined);

    const drawGraph = (p: Pipelines) => {
      const nodes = p.nodes.filter((n) => n.kind !== 'extension');
      const pos = layout(nodes, p.edges, p.pipelines.map((x) => x.id));
      const width = Math.max(...[...pos.values()].map((q) => q.x + W)) + 20;
      const height = Math.max(...[...pos.values()].map((q) => q.y + H)) + 20;
      const svg = s('svg', { class: 'graph', width, height, viewBox: `0 0 ${width} ${height}`, role: 'group', 'aria-label': 'pipeline graph' });
      for (const [c, label] of [[0, 'receivers'], [Math.max(...[...pos.values()].map((q) => q.col)), 'exporters']] as const) svg.append(s('text', { class: 'lane', x: 20 + Number(c) * (W + GX), y: 16 }, label));
      for (const e of p.edges) {
        const a = pos.get(e.from);
        const b = pos.get(e.to);
        if (!a || !b) continue;
        const x0 = a.x + W;
        const y0 = a.y + H / 2;
        const x1 = b.x;
        const y1 = b.y + H / 2;
        const rate = e.items_per_second;
        const wdt = rate ? Math.min(6, 1 + Math.log10(1 + rate)) : 1;
        svg.append(
          s('path', { class: 'edge', d: `M${x0},${y0} C${x0 + GX / 2},${y0} ${x1 - GX / 2},${y1} ${x1},${y1}`, 'stroke-width': wdt, 'data-from': e.from, 'data-to': e.to, 'data-pipeline': e.pipeline, 'data-rate': rate ?? '' }, s('title', {}, `${e.pipeline}: ${e.from} → ${e.to}`)),
          s('text', { class: 'rate', x: (x0 + x1) / 2 - 20, y: (y0 + y1) / 2 - 4, 'data-edge': `${e.from}>${e.to}@${e.pipeline}` }, rate === null ? '' : fmt(rate, 'items/s')),
        );
      }
      for (const n of nodes) {
        const q = pos.get(n.key)!;
        const c = comps.get(n.key);
        const cls = nodeClass(n, c, prevComps.get(n.key));
        const g = s(
          'g',
          { class: `node ${cls}${n.key === selected ? ' selected' : ''}`, transform: `translate(${q.x},${q.y})`, tabindex: '0', role: 'button', 'aria-label': `${n.kind} ${n.id}${n.pipeline ? ` in ${n.pipeline}` : ''}: ${cls}`, 'data-key': n.key, 'data-state': cls, onclick: () => select(n.key), onkeydown: (ev: Event) => { const k = (ev as KeyboardEvent).key; if (k === 'Enter' || k === ' ') { ev.preventDefault(); select(n.key); } } },
          s('rect', { width: W, height: H, rx: 7 }),
          s('text', { class: 'kind', x: 10, y: 15 }, `${n.kind}${n.pipeline ? ` · ${n.pipeline}` : ''}`),
          s('text', { x: 10, y: 33 }, n.id.length > 22 ? `${n.id.slice(0, 21)}…` : n.id),
          s('title', {}, `${n.key} (${n.state})`),
        );
        svg.append(g);
      }
      const focused = (document.activeElement as Element | null)?.getAttribute?.('data-key');
      graphWrap.replaceChildren(svg);
      if (focused) (svg.querySelector(`[data-key="${CSS.escape(focused)}"]`) as SVGGElement | null)?.focus();
    };

    const renderDetail = () => {
      if (!selected || !detail) return;
      const c = comps.get(selected);
      const n = last?.nodes.find((x) => x.key === selected);
      if (!n) return;
      const kindKey = `${n.kind}s`;
      const cfg = config[kindKey]?.[n.id];
      const q = c?.items.queue;
      const counters = Object.entries(c?.counters ?? {}).sort(([a], [b]) => a.localeCompare(b));
      detail.replaceChildren(
        h('dl', { class: 'kv' },
          h('dt', {}, 'state'), h('dd', {}, n.state),
          ...(c?.error ? [h('dt', {}, 'error'), h('dd', { class: 'bad' }, c.error)] : []),
          h('dt', {}, 'signals'), h('dd', {}, n.signals.join(', ')),
          h('dt', {}, 'items in'), h('dd', {}, `${c?.items.in ?? 0} (${fmt(c?.items.in_per_second ?? null, 'items/s')})`),
          h('dt', {}, 'items out'), h('dd', {}, `${c?.items.out ?? 0} (${fmt(c?.items.out_per_second ?? null, 'items/s')})`),
          h('dt', {}, 'refused'), h('dd', { class: c?.items.refused ? 'warn' : '' }, String(c?.items.refused ?? 0)),
          h('dt', {}, 'failed'), h('dd', { class: c?.items.failed ? 'bad' : '' }, String(c?.items.failed ?? 0)),
          h('dt', {}, 'dropped'), h('dd', { class: c?.items.dropped ? 'bad' : '' }, String(c?.items.dropped ?? 0)),
          ...(q ? [h('dt', {}, 'queue'), h('dd', {}, h('div', { class: 'meter', title: `${q.size} / ${q.capacity}` }, h('div', { style: `width:${Math.min(100, (100 * q.size) / Math.max(1, q.capacity)).toFixed(1)}%` })), `${q.size} / ${q.capacity}`)] : []),
        ),
        h('details', {}, h('summary', {}, `counters (${counters.length})`), h('pre', { class: 'counters' }, counters.map(([k, v]) => `${k} ${v}`).join('\n'))),
        h('details', { open: true }, h('summary', {}, 'config (secrets redacted)'), h('pre', { class: 'config' }, cfg === undefined ? '(defaults)' : JSON.stringify(cfg, null, 2))),
      );
    };

    const renderTap = () => {
      if (!tapBox) return;
      const shown = lines.filter((l) => !filter || l.text.toLowerCase().includes(filter)).slice(-200);
      tapBox.replaceChildren(...shown.map((l) => h('div', {}, l.text)));
      tapBox.dataset.count = String(shown.length);
      tapBox.scrollTop = tapBox.scrollHeight;
    };

    const startTap = (key: string) => {
      tapStop?.abort();
      tapStop = scope.abortable();
      const ac = tapStop;
      lines.length = 0;
      tapInfo?.replaceChildren('connecting…');
      readTap(`/api/v1/tap?component=${encodeURIComponent(key)}`, ac.signal, (e) => {
        if (e.tap) tapInfo?.replaceChildren(`tapping ${key}`);
        else if (e.data !== undefined && e.signal) {
          const got = records(e.signal, e.data);
          lines.push(...got);
          // Every record received since the panel opened, shown or filtered out (read by tests).
          if (tapBox) tapBox.dataset.received = String(Number(tapBox.dataset.received ?? 0) + got.length);
          if (lines.length > 1000) lines.splice(0, lines.length - 1000);
          tapInfo?.replaceChildren(`tapping ${key} · ${e.dropped ?? 0} dropped · ${e.skipped ?? 0} skipped (sampled)`);
          renderTap();
        } else if (e.end) tapInfo?.replaceChildren(`tap ended: ${e.end}`);
      }).catch((err: Error) => {
        if (err.name !== 'AbortError') tapInfo?.replaceChildren(`tap: ${err.message}`);
      });
    };

    const closePanel = () => {
      tapStop?.abort();
      selected = undefined;
      panel.remove();
      layoutEl.classList.remove('with-panel');
      if (last) drawGraph(last);
    };

    const select = (key: string) => {
      selected = key;
      paused = false;
      filter = '';
      const n = last?.nodes.find((x) => x.key === key);
      detail = h('div', {});
      tapBox = h('div', { class: 'tap-records', role: 'log', 'aria-live': 'off', 'data-received': '0' });
      tapInfo = h('div', { class: 'status-line' });
      const pauseBtn = h('button', { class: 'btn', 'data-action': 'pause' }, 'Pause');
      pauseBtn.addEventListener('click', () => {
        paused = !paused;
        pauseBtn.textContent = paused ? 'Resume' : 'Pause';
        if (paused) {
          tapStop?.abort();
          tapInfo?.replaceChildren('paused (the tap is closed at the agent)');
        } else startTap(key);
      });
      const filterIn = h('input', { type: 'search', placeholder: 'filter records', 'aria-label': 'filter tapped records' });
      filterIn.addEventListener('input', () => {
        filter = filterIn.value.toLowerCase();
        renderTap();
      });
      clear(panel);
      panel.append(
        h('div', { class: 'toolbar' }, h('h3', {}, n ? `${n.kind} ${n.id}${n.pipeline ? ` · ${n.pipeline}` : ''}` : key), h('span', { class: 'spacer' }), h('button', { class: 'btn ghost', 'aria-label': 'close', onclick: closePanel }, '✕')),
        detail,
        h('section', { class: 'tap' }, h('div', { class: 'toolbar' }, h('h3', {}, 'Live tap'), pauseBtn, filterIn), tapInfo, tapBox),
      );
      layoutEl.classList.add('with-panel');
      layoutEl.append(panel);
      renderDetail();
      if (last) drawGraph(last);
      if (n && n.kind !== 'extension') startTap(key);
    };

    addEventListener('keydown', function esc(e) {
      if (scope.closed) return removeEventListener('keydown', esc);
      if (e.key === 'Escape' && selected) closePanel();
    });

    scope.every(1000, async (signal) => {
      const [p, c] = await Promise.all([api<Pipelines>('/api/v1/status/pipelines', { signal }), api<Components>('/api/v1/status/components', { signal })]);
      prevComps = comps;
      comps = new Map(c.components.map((x) => [x.key, x]));
      last = p;
      drawGraph(p);
      renderDetail();
      const total = p.edges.filter((e) => last!.nodes.find((n) => n.key === e.from)?.kind === 'receiver').reduce((n, e) => n + (e.items_per_second ?? 0), 0);
      status.textContent = `${p.pipelines.length} pipelines · ${p.nodes.filter((n) => n.kind !== 'extension').length} components · ${fmt(total, 'items/s')} received · agent CPU ${c.process.cpu_utilization == null ? '–' : fmt(c.process.cpu_utilization * 100, 'percent')} · RSS ${fmt(c.process.resident_memory_bytes ?? null, 'bytes')}`;
      if (selected && !panel.isConnected && p.nodes.some((n) => n.key === selected)) select(selected);
    });
  },
};
