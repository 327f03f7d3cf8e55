// Self-metric names, types and help texts come from one catalogue (src/telemetry/catalogue.ts):
// every telemd_* name in the code is listed, the registry refuses what is not, a component of
// one kind cannot emit another kind's metric, and a running agent shows only catalogued families
// with the catalogue's help.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SELF_METRICS, selfMetricSpec } from '../../src/telemetry/catalogue.js';
import { MetricRegistry, SelfTelemetry } from '../../src/telemetry/self.js';
import { ROOT, tempDir } from '../helpers/agent.js';
import { agentsKilledAfterEach } from '../helpers/agents.js';
import { freePort } from '../helpers/ports.js';

const startAgent = agentsKilledAfterEach();

function sources(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir)) {
    if (e === 'node_modules' || e === 'web') continue;
    const p = join(dir, e);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

// Series names that are not self-metrics: the alerts connector's window turns the anomaly
// processor's point tags into these for rules (connectors/alerts/window.ts); never exposed.
const NOT_SELF_METRICS = new Set(['telemd_anomaly', 'telemd_anomaly_score']);

describe('self-metric catalogue', () => {
  it('lists every telemd_* name the code uses, and nothing the code does not', () => {
    const used = new Set<string>();
    const unlisted: string[] = [];
    for (const dir of ['src', 'receivers', 'processors', 'exporters', 'connectors', 'extensions'])
      for (const file of sources(join(ROOT, dir))) {
        if (file.endsWith('catalogue.ts')) continue;
        const text = readFileSync(file, 'utf8');
        for (const m of text.matchAll(/['"`](telemd_[a-z0-9][a-z0-9_]*(?:\$\{[^}]+\}[a-z0-9_]*)*)['"`]/g)) {
          const name = m[1]!;
          if (!name.includes('${')) {
            if (NOT_SELF_METRICS.has(name)) continue;
            used.add(name);
            if (!selfMetricSpec(name)) unlisted.push(`${file.slice(ROOT.length + 1)}: ${name}`);
            continue;
          }
          // A name built from a template: some catalogue entries must match its shape.
          const shape = new RegExp('^' + name.replace(/\$\{[^}]+\}/g, '[a-z0-9_]+') + '$');
          const matches = Object.keys(SELF_METRICS).filter((n) => shape.test(n));
          if (!name.endsWith('}')) expect(matches.length, `${file}: ${name}`).toBeGreaterThan(0);
          matches.forEach((n) => used.add(n));
        }
      }
    expect(unlisted).toEqual([]);
    expect(Object.keys(SELF_METRICS).filter((n) => !used.has(n))).toEqual([]);
  });

  it('gives each metric one help text and one type, whatever the call site says', () => {
    const reg = new MetricRegistry();
    const a = new SelfTelemetry(reg, { exporter: 'file' });
    const b = new SelfTelemetry(reg, { exporter: 'debug' });
    a.counter('telemd_exporter_sent_items_total', 'Items an exporter delivered', { signal: 'logs' }).add(2);
    b.counter('telemd_exporter_sent_items_total', { signal: 'logs' }).add(3);
    const text = reg.renderPrometheus();
    expect(text.match(/# HELP telemd_exporter_sent_items_total .*/g)).toEqual([`# HELP telemd_exporter_sent_items_total ${SELF_METRICS.telemd_exporter_sent_items_total.help}`]);
    expect(text).toContain('telemd_exporter_sent_items_total{exporter="file",signal="logs"} 2');
    expect(text).toContain('telemd_exporter_sent_items_total{exporter="debug",signal="logs"} 3');
    expect(() => reg.gauge('telemd_exporter_sent_items_total', '', {})).toThrow(/is a counter in the catalogue/);
  });

  it('refuses an unlisted telemd_ name and another kind\'s metric; other names pass', () => {
    const reg = new MetricRegistry();
    expect(() => reg.counter('telemd_made_up_total', 'x', {})).toThrow(/not in the catalogue \(src\/telemetry\/catalogue\.ts\)/);
    const receiver = new SelfTelemetry(reg, { receiver: 'filelog' });
    expect(() => receiver.counter('telemd_processor_dropped_items_total')).toThrow(/is a processor metric; receiver filelog may not emit it/);
    expect(() => new SelfTelemetry(reg, { processor: 'batch' }).counter('telemd_exporter_sent_items_total')).toThrow(/exporter metric; processor batch/);
    // A connector is a receiver to the pipelines it feeds.
    expect(() => new SelfTelemetry(reg, { connector: 'count' }).counter('telemd_receiver_accepted_items_total')).not.toThrow();
    // Metrics of libraries through the OpenTelemetry API bridge keep their own names.
    expect(() => reg.counter('http_client_requests_total', 'from a library', {})).not.toThrow();
    expect(reg.renderPrometheus()).not.toContain('telemd_made_up_total');
  });

  it('a running agent exposes only catalogued families, with the catalogue help and type', async () => {
    const dir = tempDir();
    const otlp = await freePort();
    const prom = await freePort();
    const agent = await startAgent({
      dir,
      config: `receivers:
  hostmetrics:
    collection_interval: 200ms
    scrapers: { load: , memory: }
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:${otlp}
  filelog:
    include: [${join(dir, '*.log')}]
processors:
  memory_limiter:
    check_interval: 1s
    limit_mib: 4000
  batch:
    timeout: 10ms
exporters:
  file:
    path: ${join(dir, 'out.jsonl')}
  prometheus:
    endpoint: 127.0.0.1:${prom}
  debug:
  otlphttp:
    endpoint: http://127.0.0.1:${await freePort()}
    retry_on_failure: { initial_interval: 100ms }
service:
  pipelines:
    metrics:
      receivers: [hostmetrics, otlp]
      processors: [memory_limiter, batch]
      exporters: [file, prometheus, otlphttp]
    logs:
      receivers: [filelog, otlp]
      processors: [batch]
      exporters: [debug]
`,
    });
    let text = '';
    for (let i = 0; i < 50 && !/telemd_exporter_sent_items_total\{exporter="file"[^}]*\} [1-9]/.test(text); i++) {
      await new Promise((r) => setTimeout(r, 200));
      text = await (await fetch(`http://127.0.0.1:${agent.selfMetricsPort}/metrics`)).text();
    }
    const families = [...text.matchAll(/^# HELP (telemd_\S+) (.*)$/gm)].map((m) => ({ name: m[1]!, help: m[2]! }));
    expect(families.length).toBeGreaterThan(15);
    for (const f of families) {
      const spec = selfMetricSpec(f.name);
      expect(spec, f.name).toBeDefined();
      expect(f.help, f.name).toBe(spec!.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n'));
      expect(text, f.name).toContain(`# TYPE ${f.name} ${spec!.type}`);
    }
  });
});
