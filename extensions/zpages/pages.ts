// The zpages, rendered from the agent's read-only ServiceView: ids, types, states, health.
// No config values are shown (the view has them, redacted; these pages do not use them).
import type { ComponentInfo, PipelineInfo } from '../../src/component/service-view.js';
import { VERSION } from '../../src/version.js';

const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const NAV = ['servicez', 'pipelinez', 'extensionz', 'featurez'];

function page(title: string, body: string): string {
  const nav = NAV.map((n) => `<a href="/debug/${n}">${n}</a>`).join(' · ');
  return `<!doctype html><html><head><meta charset="utf-8"><title>telemd ${esc(title)}</title>` +
    `<style>body{font-family:sans-serif;margin:1.5em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}</style>` +
    `</head><body><p>${nav}</p><h1>${esc(title)}</h1>${body}</body></html>\n`;
}

function table(head: string[], rows: string[][]): string {
  const th = head.map((h) => `<th>${esc(h)}</th>`).join('');
  const tr = rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('');
  return `<table><tr>${th}</tr>${tr}</table>`;
}

export interface PageData {
  pipelines: PipelineInfo[];
  nodes: ComponentInfo[];
  /** service.extensions (started) vs merely configured: nodes hold the started ones. */
  health: { healthy: boolean; reasons: string[] };
}

export type PageName = 'servicez' | 'pipelinez' | 'extensionz' | 'featurez';

export function json(name: PageName, d: PageData): unknown {
  const { health } = d;
  switch (name) {
    case 'servicez': {
      const up = process.uptime();
      return { version: VERSION, node: process.version, pid: process.pid, start_time: new Date(Date.now() - up * 1000).toISOString(), uptime_s: Math.round(up), healthy: health.healthy, reasons: health.reasons };
    }
    case 'pipelinez':
      return { pipelines: d.pipelines.map((p) => ({ id: p.id, receivers: p.receivers, processors: p.processors, exporters: p.exporters })) };
    case 'extensionz':
      return { extensions: d.nodes.filter((c) => c.kind === 'extension').map((c) => ({ id: c.id, type: c.type, state: c.state, ...(c.error ? { error: c.error } : {}) })) };
    case 'featurez':
      return { feature_gates: [] };
  }
}

export function html(name: PageName, d: PageData): string {
  const { health } = d;
  const typeOf = (kind: string, id: string) => d.nodes.find((c) => c.kind === kind && c.id === id)?.type ?? '';
  switch (name) {
    case 'servicez': {
      const s = json('servicez', d) as Record<string, unknown>;
      return page('Service', table(['property', 'value'], [
        ['telemd version', VERSION], ['Node.js', String(s.node)], ['pid', String(s.pid)], ['started', String(s.start_time)], ['uptime', `${String(s.uptime_s)} s`],
        ['health', health.healthy ? 'healthy' : `unhealthy: ${health.reasons.join('; ')}`],
      ]));
    }
    case 'pipelinez': {
      const rows: string[][] = [];
      for (const p of d.pipelines) {
        const list = (kind: string, ids: string[]) => ids.map((id) => `${id} (${typeOf(kind, id)})`).join(', ') || '–';
        rows.push([p.id, list('receiver', p.receivers), list('processor', p.processors), list('exporter', p.exporters)]);
      }
      return page('Pipelines', table(['pipeline', 'receivers', 'processors', 'exporters'], rows));
    }
    case 'extensionz': {
      const exts = (json('extensionz', d) as { extensions: { id: string; type: string; state: string; error?: string }[] }).extensions;
      return page('Extensions', table(['extension', 'type', 'state'], exts.map((e) => [e.id, e.type, e.error ? `${e.state}: ${e.error}` : e.state])));
    }
    case 'featurez':
      return page('Feature gates', '<p>telemd has no feature gates: behaviour is set in the config only (the Collector\'s <code>--feature-gates</code> flag has no equivalent).</p>' + table(['gate', 'enabled', 'stage', 'description'], []));
  }
}
