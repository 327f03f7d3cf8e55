// host.name and host.id on what telemd's own host receivers produce, with no processor:
// detection (kernel hostname, machine id), OTEL_RESOURCE_ATTRIBUTES and OTEL_SERVICE_NAME on top
// as the SDKs apply them, a receiver's own attributes above that, the resource processor last.
import { createSocket } from 'node:dgram';
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectHostIdentity } from '../../src/resource/host.js';
import { jobInstance } from '../../src/prometheus/translate.js';
import { agentsKilledAfterEach } from '../helpers/agents.js';
import { freePort } from '../helpers/ports.js';
import { until } from '../helpers/wait.js';

describe('detectHostIdentity', () => {
  const dir = mkdtempSync(join(tmpdir(), 'telemd-hostid-'));
  const idFile = join(dir, 'machine-id');
  writeFileSync(idFile, '0123456789abcdef0123456789abcdef\n');

  it('reads the kernel hostname and the machine id', () => {
    const h = detectHostIdentity({}, [join(dir, 'missing'), idFile]);
    expect(h.attributes).toEqual({ 'host.name': hostname(), 'host.id': '0123456789abcdef0123456789abcdef' });
    expect(h.problems).toEqual([]);
  });

  it('applies OTEL_RESOURCE_ATTRIBUTES on top, and OTEL_SERVICE_NAME over its service.name', () => {
    const h = detectHostIdentity({ OTEL_RESOURCE_ATTRIBUTES: 'host.name=web%2D1,service.name=a,bad', OTEL_SERVICE_NAME: 'node-agent' }, [idFile]);
    expect(h.attributes).toEqual({ 'host.name': 'web-1', 'host.id': '0123456789abcdef0123456789abcdef', 'service.name': 'node-agent' });
    expect(h.problems).toEqual(['OTEL_RESOURCE_ATTRIBUTES: ignoring entry 3: expected key=value']);
  });

  it('says so when no machine id is readable', () => {
    const h = detectHostIdentity({}, [join(dir, 'none')]);
    expect(h.attributes['host.id']).toBeUndefined();
    expect(h.problems[0]).toMatch(/host\.id: none of .*none is readable/);
  });

  it('maps job/instance as the Collector does, with host.name as the instance when no service instance is set', () => {
    expect(jobInstance({ attributes: { 'host.name': 'h' } })).toEqual({ instance: 'h' });
    expect(jobInstance({ attributes: { 'host.name': 'h', 'service.name': 's', 'service.namespace': 'n', 'service.instance.id': 'i' } })).toEqual({ job: 'n/s', instance: 'i' });
    expect(jobInstance({ attributes: { 'service.name': 's' } })).toEqual({ job: 's' });
  });
});

describe('host receivers carry host.name and host.id without a processor', () => {
  const start = agentsKilledAfterEach();
  const machineId = readFileSync('/etc/machine-id', 'utf8').trim();

  it('hostmetrics, statsd and filelog (resource processor applied after)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'telemd-hostres-'));
    const log = join(dir, 'app.log');
    writeFileSync(log, '');
    const statsd = await freePort();
    const agent = await start({
      dir,
      env: { OTEL_RESOURCE_ATTRIBUTES: 'host.name=h1,deployment.environment=test' },
      config: `
receivers:
  hostmetrics: { collection_interval: 200ms, scrapers: { memory: } }
  statsd: { endpoint: 127.0.0.1:${statsd}, aggregation_interval: 200ms }
  filelog: { include: [${log}], start_at: beginning, resource: { service.name: app } }
processors:
  resource:
    attributes: [{ key: host.name, value: from-processor, action: upsert }]
exporters:
  file/m: { path: ${dir}/m.jsonl }
  file/l: { path: ${dir}/l.jsonl }
service:
  pipelines:
    metrics: { receivers: [hostmetrics, statsd], exporters: [file/m] }
    logs: { receivers: [filelog], processors: [resource], exporters: [file/l] }
`,
    });
    const sock = createSocket('udp4');
    const res = (f: string, key: 'resourceMetrics' | 'resourceLogs') =>
      readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean).flatMap((l) => (JSON.parse(l) as Record<string, { resource: { attributes: { key: string; value: { stringValue?: string } }[] }; scopeMetrics?: { scope: { name: string } }[] }[]>)[key] ?? []);
    const attrs = (r: { resource: { attributes: { key: string; value: { stringValue?: string } }[] } }) => Object.fromEntries(r.resource.attributes.map((a) => [a.key, a.value.stringValue]));
    try {
      const metrics = await until(() => {
        sock.send('jobs.done:1|c', statsd, '127.0.0.1');
        try {
          const rs = res('m.jsonl', 'resourceMetrics');
          const scopes = new Set(rs.flatMap((r) => (r.scopeMetrics ?? []).map((s) => s.scope.name)));
          return [...scopes].some((s) => s.includes('statsd')) && [...scopes].some((s) => s.includes('memory')) ? rs : undefined;
        } catch {
          return undefined;
        }
      }, 20_000, 'hostmetrics and statsd output');
      for (const r of metrics) expect(attrs(r)).toEqual({ 'host.name': 'h1', 'host.id': machineId, 'deployment.environment': 'test' });
      appendFileSync(log, 'hello\n');
      const logs = await until(() => {
        try {
          const rs = res('l.jsonl', 'resourceLogs');
          return rs.length ? rs : undefined;
        } catch {
          return undefined;
        }
      }, 20_000, 'filelog output');
      expect(attrs(logs[0]!)).toEqual({ 'host.name': 'from-processor', 'host.id': machineId, 'deployment.environment': 'test', 'service.name': 'app' });
    } finally {
      sock.close();
    }
    expect(await agent.stop()).toBe(0);
  }, 40_000);
});
