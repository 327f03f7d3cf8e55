// The issue-7 processors in a running agent: OTLP/JSON in over HTTP, file exporter out.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readFileSync as rf } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/agent.js';
import { agentsKilledAfterEach } from '../helpers/agents.js';
import { freePort } from '../helpers/ports.js';

const startAgent = agentsKilledAfterEach();

type Json = Record<string, unknown>;
const str = (v: string) => ({ stringValue: v });
const kv = (key: string, value: Json) => ({ key, value });

async function post(port: number, signal: string, body: Json): Promise<number> {
  const r = await fetch(`http://127.0.0.1:${port}/v1/${signal}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  await r.arrayBuffer();
  return r.status;
}

function attrs(list: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { key, value } of (list ?? []) as { key: string; value: Record<string, unknown> }[]) out[key] = Object.values(value ?? {})[0];
  return out;
}

describe('issue-7 processors in a running agent', () => {
  it('limits, filters, enriches and rewrites logs; samples traces like the Collector; converts temporality', async () => {
    const dir = tempDir();
    const port = await freePort();
    const out = join(dir, 'out.jsonl');
    const agent = await startAgent({
      env: { OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=integration' },
      config: `
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:${port}
processors:
  memory_limiter:
    limit_mib: 2048
  resourcedetection:
    detectors: [env, system]
    system:
      hostname_sources: [os]
  rate_limit:
    rate: 0.1
    burst: 5
    keys: [log.file.path]
  filter/logs:
    logs:
      log_record: ['IsMatch(body, "healthcheck")']
  attributes:
    actions:
      - {key: user, action: hash}
      - {key: password, action: delete}
  transform:
    log_statements:
      - 'set(attributes["level"], severity_text) where severity_number >= SEVERITY_NUMBER_WARN'
  probabilistic_sampler:
    sampling_percentage: 40
    hash_seed: 22
  cumulativetodelta:
    initial_value: keep
  batch:
    timeout: 200ms
exporters:
  file:
    path: ${out}
service:
  pipelines:
    logs:
      receivers: [otlp]
      processors: [memory_limiter, resourcedetection, rate_limit, filter/logs, attributes, transform, batch]
      exporters: [file]
    traces:
      receivers: [otlp]
      processors: [memory_limiter, probabilistic_sampler, batch]
      exporters: [file]
    metrics:
      receivers: [otlp]
      processors: [memory_limiter, cumulativetodelta, batch]
      exporters: [file]
`,
    });

    const rec = (body: string, path: string, extra: Json[] = [], sev = 9, text = 'INFO') => ({
      timeUnixNano: '1700000000000000000', severityNumber: sev, severityText: text, body: str(body),
      attributes: [kv('log.file.path', str(path)), ...extra],
    });
    const storm = Array.from({ length: 20 }, (_, i) => rec(`storm ${i}`, '/var/log/a.log'));
    const quiet = [
      rec('login ok', '/var/log/b.log', [kv('user', str('alice')), kv('password', str('hunter2'))]),
      rec('GET /healthcheck 200', '/var/log/b.log'),
      rec('disk slow', '/var/log/b.log', [], 13, 'WARN'),
    ];
    expect(await post(port, 'logs', { resourceLogs: [{ resource: { attributes: [kv('service.name', str('web'))] }, scopeLogs: [{ scope: { name: 's' }, logRecords: [...storm, ...quiet] }] }] })).toBe(200);

    // Trace ids with known FNV-1a buckets at seed 22 (see probabilistic_sampler.test.ts): only 5b8e... (3273) is below 40% (6553).
    const ids = ['4bf92f3577b34da6a3ce929d0e0e4736', '5b8efff798038103d269b633813fc60c', '0102030405060708090a0b0c0d0e0f10', 'ffffffffffffffffffffffffffffffff'];
    const spans = ids.flatMap((traceId, i) => [0, 1].map((j) => ({
      traceId, spanId: `00000000000000${i}${j}`, name: `span-${i}-${j}`, kind: 2, startTimeUnixNano: '1', endTimeUnixNano: '2',
    })));
    expect(await post(port, 'traces', { resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ scope: { name: 't' }, spans }] }] })).toBe(200);

    const sum = (v: number, t: string) => ({
      resourceMetrics: [{ resource: { attributes: [kv('host.name', str('h'))] }, scopeMetrics: [{ scope: { name: 'm' }, metrics: [{
        name: 'requests', sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints: [{ startTimeUnixNano: '1000', timeUnixNano: t, asInt: String(v) }] },
      }] }] }],
    });
    expect(await post(port, 'metrics', sum(10, '2000'))).toBe(200);
    expect(await post(port, 'metrics', sum(25, '3000'))).toBe(200);

    const lines = async (): Promise<Json[]> => {
      const end = Date.now() + 20_000;
      for (;;) {
        const text = existsSync(out) ? readFileSync(out, 'utf8') : '';
        const ls = text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Json);
        const kinds = new Set(ls.map((l) => Object.keys(l)[0]));
        const mcount = ls.filter((l) => 'resourceMetrics' in l).length;
        if (kinds.has('resourceLogs') && kinds.has('resourceSpans') && mcount >= 2) return ls;
        if (Date.now() > end) throw new Error(`output incomplete: ${text.slice(0, 500)}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    const all = await lines();

    const logs = all.flatMap((l) => ((l.resourceLogs ?? []) as Json[]).flatMap((rl) => ((rl.scopeLogs as Json[]).flatMap((sl) => sl.logRecords as Json[])).map((r) => ({ r, res: attrs((rl.resource as Json).attributes) }))));
    const bodies = logs.map(({ r }) => (r.body as Json).stringValue);
    expect(bodies.filter((b) => String(b).startsWith('storm'))).toHaveLength(5);
    expect(bodies).toContain('login ok');
    expect(bodies).toContain('disk slow');
    expect(bodies).not.toContain('GET /healthcheck 200');
    const login = logs.find(({ r }) => (r.body as Json).stringValue === 'login ok')!;
    expect(attrs(login.r.attributes)).toEqual({ 'log.file.path': '/var/log/b.log', user: createHash('sha256').update('alice').digest('hex') });
    const slow = logs.find(({ r }) => (r.body as Json).stringValue === 'disk slow')!;
    expect(attrs(slow.r.attributes).level).toBe('WARN');
    expect(login.res['service.name']).toBe('web');
    expect(login.res['deployment.environment']).toBe('integration');
    expect(login.res['host.name']).toBe(hostname());
    if (existsSync('/etc/machine-id')) expect(login.res['host.id']).toBe(rf('/etc/machine-id', 'utf8').trim());

    const spanNames = all.flatMap((l) => ((l.resourceSpans ?? []) as Json[]).flatMap((rs) => (rs.scopeSpans as Json[]).flatMap((ss) => (ss.spans as Json[]).map((s) => s.name))));
    expect(spanNames.sort()).toEqual(['span-1-0', 'span-1-1']);

    const points = all.flatMap((l) => ((l.resourceMetrics ?? []) as Json[]).flatMap((rm) => (rm.scopeMetrics as Json[]).flatMap((sm) => (sm.metrics as Json[]).map((m) => m.sum as Json))));
    expect(points.map((s) => s.aggregationTemporality)).toEqual([1, 1]);
    expect(points.map((s) => String(((s.dataPoints as Json[])[0]!).asInt))).toEqual(['10', '15']);

    const metrics = await (await fetch(`http://127.0.0.1:${agent.selfMetricsPort}/metrics`)).text();
    expect(metrics).toMatch(/telemd_processor_dropped_items_total\{[^}]*rate_limit[^}]*\} 15/);
    expect(metrics).toMatch(/telemd_processor_dropped_items_total\{[^}]*filter\/logs[^}]*\} 1/);
    expect(metrics).toMatch(/telemd_processor_dropped_items_total\{[^}]*probabilistic_sampler[^}]*\} 6/);
    expect(await agent.stop()).toBe(0);
  });
});
