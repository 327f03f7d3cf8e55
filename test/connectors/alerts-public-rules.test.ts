// Rule files from public Prometheus rule collections (test/fixtures/prometheus-rules, with their
// licences) read unchanged: promtool accepts them, telemd accepts the same rules, and a running
// telemd evaluates every one of them over a real node_exporter without a failure; the recording
// rules produce the series Prometheus would (the CPU count).
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseRuleFile } from '../../src/alerting/rulefmt.js';
import { decodeJson } from '../../src/otlp/index.js';
import type { MetricsData } from '../../src/pdata/types.js';
import { tempDir } from '../helpers/agent.js';
import { agentsKilledAfterEach } from '../helpers/agents.js';
import { freePort } from '../helpers/ports.js';
import { until } from '../helpers/wait.js';
import { havePromtool, promtoolCheck } from '../alerting/promtool.js';
import { haveNodeExporter } from '../prometheus/helpers/real.js';

const DIR = join(import.meta.dirname, '..', 'fixtures', 'prometheus-rules');
const FILES = readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f));
const startAgent = agentsKilledAfterEach();
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const s of stops.splice(0)) await s();
});

describe('public rule files', () => {
  it('parse as promtool parses them', () => {
    for (const f of FILES) {
      const text = readFileSync(join(DIR, f), 'utf8');
      const r = parseRuleFile(f, text);
      expect(r.errors, f).toEqual([]);
      const n = r.groups.reduce((s, g) => s + g.rules.length, 0);
      if (havePromtool) expect(promtoolCheck(text).output, f).toContain(`SUCCESS: ${n} rules found`);
    }
  });

  (haveNodeExporter ? it : it.skip)('evaluate in telemd over a real node_exporter, every rule healthy', async () => {
    const nePort = await freePort();
    const ne = spawn('prometheus-node-exporter', [`--web.listen-address=127.0.0.1:${nePort}`], { stdio: 'ignore' });
    stops.push(async () => {
      if (ne.exitCode !== null) return;
      const done = new Promise((r) => ne.once('exit', r));
      ne.kill('SIGTERM');
      await done;
    });
    const dir = tempDir('telemd-rules-');
    const consolePort = await freePort();
    const agent = await startAgent({
      dir,
      config: `receivers:
  prometheus:
    config:
      scrape_configs:
        - job_name: node
          scrape_interval: 1s
          static_configs: [{ targets: ['127.0.0.1:${nePort}'] }]
connectors:
  alerts:
    evaluation_interval: 1s
    rule_files: ['${DIR}/*.y*ml']
exporters:
  file/logs: { path: ${dir}/alerts.jsonl, flush_interval: 50ms }
  file/rules: { path: ${dir}/rules.jsonl, flush_interval: 50ms }
extensions:
  console:
    endpoint: 127.0.0.1:${consolePort}
    token_file: ${dir}/token
service:
  extensions: [console]
  pipelines:
    metrics: { receivers: [prometheus], exporters: [alerts] }
    metrics/rules: { receivers: [alerts], exporters: [file/rules] }
    logs: { receivers: [alerts], exporters: [file/logs] }
`,
    });
    const token = readFileSync(join(dir, 'token'), 'utf8').trim();
    type Rules = { groups: { name: string; rules: { name: string; health: string; lastError?: string; lastEvaluation: string }[] }[] };
    const get = async () => {
      const r = await fetch(`http://127.0.0.1:${consolePort}/api/v1/rules`, { headers: { authorization: `Bearer ${token}` } });
      return ((await r.json()) as { data: Rules }).data;
    };
    // Every rule evaluated at least twice after the second scrape (rates need two samples).
    const rules = await until(async () => {
      const d = await get();
      const all = d.groups.flatMap((g) => g.rules);
      return all.length > 0 && all.every((r) => r.health !== 'unknown') && Date.parse(all[0]!.lastEvaluation) > Date.now() - 3000 ? d : undefined;
    }, 30_000, 'every rule evaluated');
    await new Promise((r) => setTimeout(r, 3000));
    const final = await get();
    const all = final.groups.flatMap((g) => g.rules.map((r) => ({ group: g.name, ...r })));
    expect(all).toHaveLength(16 + 14 + 11);
    expect(all.filter((r) => r.health !== 'ok')).toEqual([]);
    expect(rules.groups.map((g) => g.name).sort()).toEqual(['NodeExporter', 'node-exporter', 'node-exporter.rules']);
    // The recording rules wrote their series out: the CPU count as Prometheus computes it.
    const cpu = await until(() => {
      let v: number | undefined;
      for (const line of readFileSync(join(dir, 'rules.jsonl'), { encoding: 'utf8', flag: 'a+' }).split('\n')) {
        if (!line.trim()) continue;
        const md = decodeJson('metrics', line) as MetricsData;
        for (const rm of md.resourceMetrics)
          for (const sm of rm.scopeMetrics) for (const m of sm.metrics) if (m.name === 'instance:node_num_cpu:sum' && m.type === 'gauge') v = Number(m.dataPoints[0]!.value);
      }
      return v;
    }, 20_000, 'instance:node_num_cpu:sum');
    expect(cpu).toBe(cpus().length);
    await agent.stop();
  });
});
