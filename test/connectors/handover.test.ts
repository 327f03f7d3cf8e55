// The analysis processors' hand-over (anomaly/forecast → logs, logpattern → metrics) is a
// connector in the graph: validated, visible, and followed item by item for cycles.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/resolve.js';
import { formatConfigError } from '../../src/config/sources.js';
import type { LogsData, MetricsData } from '../../src/pdata/types.js';
import { factories } from '../../src/registry.js';
import { inprocAgents } from '../helpers/inproc.js';

const startInproc = inprocAgents();

function resolve(text: string): { file: string; errors: string[]; warnings: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'telemd-ho-'));
  const file = join(dir, 'c.yaml');
  writeFileSync(file, text);
  const r = resolveConfig({ files: [file], factories });
  return { file, errors: r.errors.map(formatConfigError), warnings: r.warnings.map(formatConfigError) };
}

const T0 = 1_700_000_000n * 1_000_000_000n;
function cpu(i: number, v: number): MetricsData {
  return {
    resourceMetrics: [
      {
        resource: { attributes: { 'host.name': 'h1' } },
        scopeMetrics: [{ scope: { name: 's' }, metrics: [{ name: 'system.cpu.utilization', type: 'gauge', dataPoints: [{ attributes: { cpu: '0' }, startTimeUnixNano: 0n, timeUnixNano: T0 + BigInt(i) * 60_000_000_000n, value: v }] }] }],
      },
    ],
  };
}

describe('hand-over connectors', () => {
  it('a logs pipeline that names the processor as a receiver gets its onset records (Collector style)', async () => {
    const { probes, agent } = await startInproc(`
receivers:
  probe:
processors:
  anomaly:
    emit_logs: true
exporters:
  sink/metrics:
  sink/onsets:
service:
  pipelines:
    metrics: { receivers: [probe], processors: [anomaly], exporters: [sink/metrics] }
    logs/anomalies: { receivers: [anomaly], exporters: [sink/onsets] }
`);
    const m = probes.receivers.get('probe')!.consumers.metrics!;
    for (let i = 0; i < 200; i++) await m.consume(cpu(i, (i >= 180 ? 5 : 1) + 0.01 * Math.sin(i)));
    await new Promise((r) => setTimeout(r, 20));
    const recs = (probes.sinks.get('sink/onsets') ?? []).flatMap((x) => (x.data as LogsData).resourceLogs.flatMap((rl) => rl.scopeLogs.flatMap((s) => s.logRecords)));
    expect(recs.length).toBeGreaterThanOrEqual(1);
    expect(recs[0]!.eventName).toBe('anomaly.onset');
    const g = agent.view.graph();
    expect(g.nodes.find((n) => n.key === 'connector:anomaly')).toMatchObject({ kind: 'connector', type: 'anomaly', handover: true, pairs: [['metrics', 'logs']] });
    expect(g.edges).toContainEqual({ from: 'processor:anomaly@metrics', to: 'connector:anomaly', pipeline: 'metrics', signal: 'metrics' });
    expect(g.edges).toContainEqual({ from: 'connector:anomaly', to: 'exporter:sink/onsets', pipeline: 'logs/anomalies', signal: 'logs' });
  });

  it('refuses a processor named as a receiver when no pipeline of its own signal contains it', () => {
    const { file, errors } = resolve(`receivers:
  nop:
processors:
  anomaly:
exporters:
  debug:
service:
  pipelines:
    logs:
      receivers: [anomaly]
      exporters: [debug]
`);
    expect(errors).toEqual([
      `${file}:10:19: processor "anomaly" in logs pipeline "logs" only passes on what the same processor hands over from a metrics pipeline, and no metrics pipeline contains it`,
    ]);
  });

  it('refuses hand-overs that go round (onsets mined into counts scored into onsets), allows the same processors in a safe order', () => {
    const cycle = (metricsOrder: string) => `receivers:
  nop:
processors:
  anomaly:
    emit_logs: true
  logpattern:
    emit_counts: true
exporters:
  debug:
service:
  pipelines:
    logs:
      receivers: [nop]
      processors: [anomaly, logpattern]
      exporters: [debug]
    metrics:
      receivers: [nop]
      processors: [${metricsOrder}]
      exporters: [debug]
`;
    const bad = resolve(cycle('logpattern, anomaly'));
    expect(bad.errors).toHaveLength(1);
    expect(bad.errors[0]).toMatch(/:14:29: pipelines form a cycle through connectors: metrics → anomaly → logs → logpattern → metrics/);
    // Counts injected after anomaly never reach it: no loop.
    expect(resolve(cycle('anomaly, logpattern')).errors).toEqual([]);
  });
});
