import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/resolve.js';
import { formatConfigError } from '../../src/config/sources.js';
import { factories } from '../../src/registry.js';

function resolve(text: string) {
  return resolveConfig({ files: [], texts: [['c.yaml', text]], factories });
}

describe('Collector type names', () => {
  it('loads the renamed types (otlp_grpc, otlp_http, file_log, prometheus_remote_write) without a warning, keeping the registered type', () => {
    const r = resolve(`
receivers:
  file_log/app: {include: [/tmp/x.log]}
exporters:
  otlp_grpc/a: {endpoint: 127.0.0.1:1}
  otlp_http: {endpoint: http://127.0.0.1:1}
  prometheus_remote_write: {endpoint: http://127.0.0.1:1/api/v1/write}
service:
  pipelines:
    logs: {receivers: [file_log/app], exporters: [otlp_grpc/a, otlp_http]}
`);
    expect(r.errors.map(formatConfigError)).toEqual([]);
    expect(r.warnings).toEqual([]);
    const rec = r.config!.components.receiver.get('file_log/app')!;
    expect(rec.id).toMatchObject({ type: 'filelog', name: 'app', id: 'file_log/app' });
    expect(r.config!.components.exporter.get('otlp_grpc/a')!.factory.type).toBe('otlp');
  });

  it('loads the removed logging exporter as debug, with a warning at its position naming the replacement', () => {
    const r = resolve(`receivers:\n  nop:\nexporters:\n  logging:\n    loglevel: debug\nservice:\n  pipelines:\n    traces: {receivers: [nop], exporters: [logging]}\n`);
    expect(r.errors).toEqual([]);
    const w = r.warnings.map(formatConfigError);
    expect(w[0]).toMatch(/^c\.yaml:4:3: exporter "logging": .*removed.*write "debug"/);
    expect(w[1]).toMatch(/^c\.yaml:5:5: .*"loglevel" is deprecated.*verbosity/);
  });

  it('a type telemd lacks names the nearest one it has', () => {
    const r = resolve(`receivers:\n  jaeger: {}\nexporters:\n  loki: {}\nservice:\n  pipelines:\n    traces: {receivers: [jaeger], exporters: [loki]}\n`);
    const e = r.errors.map(formatConfigError);
    expect(e[0]).toMatch(/^c\.yaml:2:3: unknown receiver type "jaeger"; .*nearest is otlp/);
    expect(e[1]).toMatch(/^c\.yaml:4:3: unknown exporter type "loki"; .*nearest is otlphttp/);
  });
});

describe('keys accepted but not implemented', () => {
  it('warn with file:line:col and never appear in the parsed config', () => {
    const r = resolve(`receivers:\n  nop:\nprocessors:\n  memory_limiter:\n    limit_mib: 100\n    ballast_size_mib: 50\nexporters:\n  nop:\nservice:\n  telemetry:\n    traces: {propagators: [b3]}\n  pipelines:\n    metrics: {receivers: [nop], processors: [memory_limiter], exporters: [nop]}\n`);
    expect(r.errors).toEqual([]);
    const w = r.warnings.map(formatConfigError);
    expect(w).toContainEqual(expect.stringMatching(/^c\.yaml:6:5: processor "memory_limiter": "ballast_size_mib" is accepted for Collector compatibility but not implemented by telemd: /));
    expect(w).toContainEqual(expect.stringMatching(/^c\.yaml:11:5: service: "traces" is accepted .* not implemented/));
  });

  it('keys differing only in case are read as the Collector reads them, with a warning', () => {
    const r = resolve(`receivers:\n  nop:\nexporters:\n  debug:\n    Verbosity: detailed\nservice:\n  pipelines:\n    logs: {receivers: [nop], exporters: [debug]}\n`);
    expect(r.errors).toEqual([]);
    expect(r.config!.components.exporter.get('debug')!.config).toMatchObject({ verbosity: 'detailed' });
    expect(r.warnings.map(formatConfigError)[0]).toMatch(/^c\.yaml:5:5: .*"Verbosity" is read as "verbosity"/);
  });
});

describe('nop components', () => {
  it('the nop processor hands batches and refusals through; the nop exporter acknowledges and counts what it discards', async () => {
    const { factory: proc } = await import('../../processors/nop/index.js');
    const { factory: exp } = await import('../../exporters/nop/index.js');
    const { testSettings } = await import('../helpers/settings.js');
    const { ConsumerError } = await import('../../src/component/consumer.js');
    const set = testSettings('nop', 'exporter');
    const e = exp.create(set, {}, ['logs']);
    const batch = { resourceLogs: [{ resource: { attributes: {} }, scopeLogs: [{ scope: { name: '' }, logRecords: [{ timeUnixNano: 0n, observedTimeUnixNano: 0n, severityNumber: 0, body: 'x', attributes: {} }] }] }] };
    const p = proc.create(testSettings('nop', 'processor'), {}, 'logs', e.consumers.logs!);
    await p.consume(batch);
    expect(set.registry.renderPrometheus()).toMatch(/telemd_exporter_discarded_items_total\{[^}]*signal="logs"[^}]*\} 1/);
    const refusing = proc.create(testSettings('nop', 'processor'), {}, 'logs', { consume: async () => { throw ConsumerError.retryable('full'); } });
    await expect(refusing.consume(batch)).rejects.toMatchObject({ kind: 'retryable' });
  });
});

describe('keys with an effect telemd does not have are refused, not ignored', () => {
  it('otlp include_metadata: true is an error at its position; false loads', () => {
    const cfg = (v: boolean) => `receivers:\n  otlp:\n    protocols:\n      http:\n        include_metadata: ${v}\n      grpc:\n        include_metadata: false\nexporters:\n  nop:\nservice:\n  pipelines:\n    logs: {receivers: [otlp], exporters: [nop]}\n`;
    const bad = resolve(cfg(true)).errors.map(formatConfigError);
    expect(bad).toHaveLength(1);
    expect(bad[0]).toMatch(/^c\.yaml:5:27: .*include_metadata: true is not supported: telemd does not carry client metadata/);
    const ok = resolve(cfg(false));
    expect(ok.errors).toEqual([]);
    expect(ok.warnings).toEqual([]);
  });

  it('hostmetrics uptime loads as the system scraper, with a warning naming it', () => {
    const r = resolve(`receivers:\n  hostmetrics:\n    scrapers:\n      uptime:\nexporters:\n  nop:\nservice:\n  pipelines:\n    metrics: {receivers: [hostmetrics], exporters: [nop]}\n`);
    expect(r.errors.map(formatConfigError)).toEqual([]);
    expect(r.warnings.map(formatConfigError)).toEqual([expect.stringMatching(/^c\.yaml:4:7: .*"uptime" is deprecated .*use system/)]);
    const both = resolve(`receivers:\n  hostmetrics:\n    scrapers:\n      uptime:\n      system:\nexporters:\n  nop:\nservice:\n  pipelines:\n    metrics: {receivers: [hostmetrics], exporters: [nop]}\n`);
    expect(both.errors.map(formatConfigError).join('\n')).toMatch(/scrapers\.uptime: the older name of scrapers\.system/);
  });
});
