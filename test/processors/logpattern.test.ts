import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { factory } from '../../processors/logpattern/index.js';
import { configSchema, type Config } from '../../processors/logpattern/config.js';
import { factory as fileStorageFactory } from '../../extensions/file_storage/index.js';
import { configSchema as fsSchema } from '../../extensions/file_storage/config.js';
import { ParseContext } from '../../src/config/schema.js';
import { consumerOf } from '../../src/component/consumer.js';
import { isStorageExtension } from '../../src/storage/storage.js';
import type { Host } from '../../src/component/component.js';
import type { LogRecord, LogsData, MetricsData } from '../../src/pdata/types.js';
import { hostWith, metricValue, settings } from '../analysis/helpers.js';
import { inprocAgents } from '../helpers/inproc.js';

const startInproc = inprocAgents();
import { testExtensionHost } from '../helpers/host.js';

function config(raw: Record<string, unknown> = {}): Config {
  const ctx = new ParseContext();
  const c = configSchema.parse(raw, ctx);
  expect(ctx.issues).toEqual([]);
  return c;
}

function batch(lines: (string | Record<string, string>)[]): LogsData {
  return {
    resourceLogs: [
      {
        resource: { attributes: {} },
        scopeLogs: [{ scope: { name: 't' }, logRecords: lines.map((body) => ({ timeUnixNano: 1n, observedTimeUnixNano: 1n, severityNumber: 9, body, attributes: {} })) }],
      },
    ],
  };
}
const recs = (d: LogsData): LogRecord[] => d.resourceLogs.flatMap((r) => r.scopeLogs.flatMap((s) => s.logRecords));

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

/** A host whose `file_storage` is the real extension over a temp directory. */
async function storageHost(dir: string): Promise<{ host: Host; stop: () => Promise<void> }> {
  const ctx = new ParseContext();
  const ext = fileStorageFactory.create(settings('file_storage', 'extension'), fsSchema.parse({ directory: dir, directory_permissions: '0700' }, ctx));
  await ext.start(testExtensionHost());
  if (!isStorageExtension(ext)) throw new Error('file_storage is not a storage extension');
  const host = hostWith((id) => {
    if (id !== 'file_storage') throw new Error(`no extension ${id}`);
    return ext.getClient('processor', { type: 'logpattern', name: '', id: 'logpattern' }, 'logs');
  });
  return { host, stop: () => ext.shutdown() };
}

describe('logpattern processor', () => {
  it('tags every record with its template and a stable id', async () => {
    const set = settings('logpattern');
    const out: LogsData[] = [];
    const p = factory.create(set, config(), 'logs', consumerOf<LogsData>((d) => void out.push(d)));
    await p.start(hostWith());
    await p.consume(batch([
      'Receiving block blk_123 src: /10.0.0.1:5000 dest: /10.0.0.2:50010',
      'Receiving block blk_987 src: /10.0.0.7:5000 dest: /10.0.0.9:50010',
      'PacketResponder 1 for block blk_55 terminating',
      'PacketResponder 2 for block blk_56 terminating',
    ]));
    const r = recs(out[0]!);
    expect(r[0]!.attributes['log.template']).toBe('Receiving block <*> src: <*> dest: <*>');
    expect(r[0]!.attributes['log.template.id']).toBe(r[1]!.attributes['log.template.id']);
    expect(r[2]!.attributes['log.template']).toBe('PacketResponder <*> for block <*> terminating');
    expect(r[2]!.attributes['log.template.id']).not.toBe(r[0]!.attributes['log.template.id']);
    // Warm-up (10m default) has not passed: nothing is an anomaly yet.
    expect(r.some((x) => 'anomaly' in x.attributes)).toBe(false);
    expect(metricValue(set.registry, 'telemd_processor_logpattern_templates')).toBe(2);
    await p.shutdown();
  });

  it('merges messages whose words differ into one template with <*>', async () => {
    const out: LogsData[] = [];
    const p = factory.create(settings('logpattern'), config(), 'logs', consumerOf<LogsData>((d) => void out.push(d)));
    await p.consume(batch(['session for alice closed by peer', 'session for bob closed by peer']));
    const r = recs(out[0]!);
    expect(r[1]!.attributes['log.template']).toBe('session for <*> closed by peer');
    expect(r[0]!.attributes['log.template.id']).toBe(r[1]!.attributes['log.template.id']);
  });

  it('tags a new template after warm-up, and passes non-text bodies untagged (counted)', async () => {
    const set = settings('logpattern');
    const out: LogsData[] = [];
    const p = factory.create(set, config({ warmup: '0s' }), 'logs', consumerOf<LogsData>((d) => void out.push(d)));
    await p.consume(batch(['disk ok on sda']));
    await p.consume(batch(['disk ok on sdb', 'kernel panic: not syncing', { k: 'v' }]));
    const r = recs(out[1]!);
    expect(r[0]!.attributes['anomaly']).toBeUndefined();
    expect(r[1]!.attributes['anomaly']).toBe(true);
    expect(r[1]!.attributes['anomaly.reason']).toBe('new_template');
    expect(r[2]!.attributes).toEqual({});
    expect(metricValue(set.registry, 'telemd_processor_logpattern_skipped_records_total')).toBe(1);
    expect(metricValue(set.registry, 'telemd_processor_logpattern_anomalous_records_total')).toBeGreaterThanOrEqual(2);
  });

  it('flags a rate jump of a known template', async () => {
    const out: LogsData[] = [];
    // 20ms buckets: a few quiet buckets make the baseline, then a burst of 50 in one bucket.
    const p = factory.create(settings('logpattern'), config({ warmup: '0s', rate_window: '20ms', rate_min_count: 20 }), 'logs', consumerOf<LogsData>((d) => void out.push(d)));
    for (let i = 0; i < 8; i++) {
      await p.consume(batch([`connection reset by peer ${i}`]));
      await new Promise((r) => setTimeout(r, 25));
    }
    await p.consume(batch(Array.from({ length: 50 }, (_, i) => `connection reset by peer ${i}`)));
    const burst = recs(out.at(-1)!);
    expect(burst.filter((x) => x.attributes['anomaly.reason'] === 'rate_jump').length).toBeGreaterThan(0);
    expect(burst.slice(0, 10).some((x) => x.attributes['anomaly'] === true)).toBe(false);
  });

  it('bounds the number of templates, evicting the least recent (counted)', async () => {
    const set = settings('logpattern');
    const p = factory.create(set, config({ max_templates: 3 }), 'logs', consumerOf<LogsData>(() => {}));
    await p.consume(batch(['alpha one', 'beta two words', 'gamma three more words', 'delta a b c d e']));
    expect(metricValue(set.registry, 'telemd_processor_logpattern_templates')).toBe(3);
    expect(metricValue(set.registry, 'telemd_processor_logpattern_templates_evicted_total')).toBe(1);
  });

  it('keeps template ids across restarts via file_storage and skips warm-up then', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'telemd-logpattern-'));
    dirs.push(dir);
    const cfg = config({ storage: 'file_storage' });
    let s = await storageHost(dir);
    const out1: LogsData[] = [];
    const p1 = factory.create(settings('logpattern'), cfg, 'logs', consumerOf<LogsData>((d) => void out1.push(d)));
    await p1.start(s.host);
    await p1.consume(batch(['session opened for user root by uid 0', 'cron job 42 finished in 3s']));
    await p1.shutdown();
    await s.stop();
    const ids1 = recs(out1[0]!).map((r) => r.attributes['log.template.id']);

    s = await storageHost(dir);
    const set2 = settings('logpattern');
    const out2: LogsData[] = [];
    const p2 = factory.create(set2, cfg, 'logs', consumerOf<LogsData>((d) => void out2.push(d)));
    await p2.start(s.host);
    await p2.consume(batch(['cron job 7 finished in 1s', 'session opened for user bob by uid 1000', 'segfault in worker']));
    const r2 = recs(out2[0]!);
    expect(r2[0]!.attributes['log.template.id']).toBe(ids1[1]);
    expect(r2[1]!.attributes['log.template.id']).toBe(ids1[0]);
    expect(r2[0]!.attributes['anomaly']).toBeUndefined();
    // Loaded templates are the baseline: a new one is an anomaly at once.
    expect(r2[2]!.attributes['anomaly.reason']).toBe('new_template');
    await p2.shutdown();
    await s.stop();
  });

  it('starts fresh with a warning when saved templates are corrupt', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'telemd-logpattern-'));
    dirs.push(dir);
    const s = await storageHost(dir);
    const client = await s.host.getStorage('file_storage', { type: 'logpattern', name: '', id: 'logpattern' });
    await client.set('templates', '{not json');
    await client.close();
    const set = settings('logpattern');
    const p = factory.create(set, config({ storage: 'file_storage' }), 'logs', consumerOf<LogsData>(() => {}));
    await p.start(s.host);
    await p.consume(batch(['still working']));
    expect(set.lines.some((l) => String(l['msg']).includes('unreadable'))).toBe(true);
    expect(metricValue(set.registry, 'telemd_processor_logpattern_storage_errors_total')).toBe(1);
    await p.shutdown();
    await s.stop();
  });

  it('publishes log.template.count to a metrics pipeline holding the same id', async () => {
    // Through the real graph: the hand-over is a connector between the two pipelines.
    const { probes, agent } = await startInproc(`
receivers:
  probe:
processors:
  logpattern/c:
    emit_counts: true
    count_interval: 1h
exporters:
  sink/metrics:
  sink/logs:
service:
  pipelines:
    metrics: { receivers: [probe], processors: [logpattern/c], exporters: [sink/metrics] }
    logs: { receivers: [probe], processors: [logpattern/c], exporters: [sink/logs] }
`);
    await probes.receivers.get('probe')!.consumers.logs!.consume(batch(['a b 1', 'a b 2', 'x y z']));
    await agent.stop(); // the processor flushes the pending counts
    const metrics = probes.sinks.get('sink/metrics')!.map((x) => x.data as MetricsData);
    const m = metrics[0]!.resourceMetrics[0]!.scopeMetrics[0]!.metrics[0]!;
    expect(m.name).toBe('log.template.count');
    if (m.type !== 'sum') throw new Error('expected a sum');
    const byTpl = Object.fromEntries(m.dataPoints.map((p) => [String(p.attributes['log.template']), p.value]));
    expect(byTpl).toEqual({ 'a b <*>': 2n, 'x y z': 1n });
  });
});
