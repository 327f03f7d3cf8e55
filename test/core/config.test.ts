import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveConfig, presentConfig } from '../../src/config/resolve.js';
import { formatConfigError } from '../../src/config/sources.js';
import { parseDuration, parseSize } from '../../src/config/units.js';
import { factories } from '../../src/registry.js';
import { FOUR_MISTAKES } from './four-mistakes.js';

function write(text: string, name = 'c.yaml'): string {
  const dir = mkdtempSync(join(tmpdir(), 'telemd-cfg-'));
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const GOOD = `
receivers:
  hostmetrics:
    collection_interval: 30s
    scrapers:
      cpu:
processors:
  batch:
  batch/small:
    send_batch_size: 10
exporters:
  debug:
  file:
    path: /tmp/x.jsonl
service:
  pipelines:
    metrics:
      receivers: [hostmetrics]
      processors: [batch]
      exporters: [debug, file]
`;

describe('units', () => {
  it('parses Go-style durations and sizes', () => {
    expect(parseDuration('10s')).toBe(10_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration('10')).toBeUndefined();
    expect(parseDuration('10 parsecs')).toBeUndefined();
    expect(parseSize('64MiB')).toBe(64 * 1024 * 1024);
    expect(parseSize('20MB')).toBe(20_000_000);
    expect(parseSize('1024')).toBe(1024);
    expect(parseSize('12 bananas')).toBeUndefined();
  });
});

describe('resolveConfig', () => {
  it('accepts a valid config and fills defaults', () => {
    const r = resolveConfig({ files: [write(GOOD)], factories });
    expect(r.errors.map(formatConfigError)).toEqual([]);
    const batch = r.config!.components.processor.get('batch')!.config as { send_batch_size: number; timeout: number };
    expect(batch).toMatchObject({ send_batch_size: 8192, timeout: 200 });
    expect((r.config!.components.processor.get('batch/small')!.config as { send_batch_size: number }).send_batch_size).toBe(10);
    expect(r.config!.service.shutdown_timeout).toBe(10_000);
    expect(r.config!.metricsAddress).toBe('127.0.0.1:8888');
  });

  it('reports a misspelled key, unknown type, undefined reference and bad duration with positions', () => {
    const file = write(FOUR_MISTAKES);
    const r = resolveConfig({ files: [file], factories });
    const msgs = r.errors.map(formatConfigError);
    expect(msgs).toHaveLength(4);
    expect(msgs[0]).toBe(`${file}:3:5: receiver "hostmetrics": colection_interval: unknown key "colection_interval"; did you mean "collection_interval"?`);
    expect(msgs[1]).toBe(`${file}:4:3: unknown receiver type "hostmetricz"; did you mean "hostmetrics"?`);
    expect(msgs[2]).toMatch(new RegExp(`^${file}:7:14: processor "batch": timeout: invalid duration "10 parsecs"`));
    expect(msgs[3]).toMatch(new RegExp(`^${file}:15:26: pipeline "metrics" references exporter "otlp/missing", which is not defined`));
  });

  it('reports YAML syntax errors with line and column', () => {
    const file = write('receivers:\n  hostmetrics: [\n    a: b\n');
    const r = resolveConfig({ files: [file], factories });
    expect(r.errors.length).toBeGreaterThan(0);
    expect(formatConfigError(r.errors[0]!)).toMatch(new RegExp(`^${file}:\\d+:\\d+: YAML syntax error`));
  });

  it('expands ${env:VAR}, ${env:VAR:-default}, ${VAR} and $$', () => {
    const file = write(GOOD.replace('/tmp/x.jsonl', () => '${env:OUT_DIR}/x-$${literal}-${env:UNSET_VAR:-dflt}.jsonl').replace('send_batch_size: 10', 'send_batch_size: ${env:SIZE}'));
    const r = resolveConfig({ files: [file], factories, env: { OUT_DIR: '/var/out', SIZE: '42' } });
    expect(r.errors.map(formatConfigError)).toEqual([]);
    expect((r.config!.components.exporter.get('file')!.config as { path: string }).path).toBe('/var/out/x-${literal}-dflt.jsonl');
    expect((r.config!.components.processor.get('batch/small')!.config as { send_batch_size: number }).send_batch_size).toBe(42);
  });

  it('merges several files in order (maps merge, lists replace) and applies --set', () => {
    const a = write(GOOD);
    const b = write(`processors:\n  batch:\n    timeout: 1s\nservice:\n  pipelines:\n    metrics:\n      exporters: [file]\n`, 'b.yaml');
    const r = resolveConfig({ files: [a, b], sets: ['processors::batch::send_batch_size=7', 'service.telemetry.logs.level=debug'], factories });
    expect(r.errors.map(formatConfigError)).toEqual([]);
    expect(r.config!.components.processor.get('batch')!.config).toMatchObject({ timeout: 1000, send_batch_size: 7 });
    expect(r.config!.pipelines[0]!.exporters).toEqual(['file']);
    expect(r.config!.pipelines[0]!.receivers).toEqual(['hostmetrics']);
    expect(r.config!.service.telemetry.logs.level).toBe('debug');
  });

  it('attributes errors to the file that wrote the value', () => {
    const a = write(GOOD);
    const b = write(`processors:\n  batch:\n    timeout: nope\n`, 'b.yaml');
    const r = resolveConfig({ files: [a, b], factories });
    expect(formatConfigError(r.errors[0]!)).toMatch(new RegExp(`^${b}:3:14: `));
  });

  it('checks pipeline signals, empty pipelines and extensions', () => {
    const file = write(`receivers:\n  hostmetrics:\nexporters:\n  debug:\nservice:\n  extensions: [health_chek]\n  pipelines:\n    metrix:\n      receivers: [hostmetrics]\n      exporters: [debug]\n    logs:\n      receivers: [hostmetrics]\n      exporters: [debug]\n`);
    const msgs = resolveConfig({ files: [file], factories }).errors.map(formatConfigError).join('\n');
    expect(msgs).toMatch(/unknown signal "metrix".*did you mean "metrics"/);
    expect(msgs).toMatch(/receiver "hostmetrics" does not support logs/);
    expect(msgs).toMatch(/extension "health_chek" is not defined/);
  });

  it('print-config redacts secrets and prints durations as text', () => {
    const r = resolveConfig({ files: [write(GOOD)], factories });
    const shown = presentConfig(r.config!);
    expect((shown.processors as Record<string, { timeout: string }>).batch.timeout).toBe('200ms');
  });
});

describe('schema', () => {
  it('redacts secret fields wherever they are nested', async () => {
    const { s, ParseContext } = await import('../../src/config/schema.js');
    const schema = s.object({
      endpoint: s.string(),
      headers: s.record(s.secret(s.string())).default({}),
      auth: s.object({ password: s.secret(s.string()).optional(), user: s.string().optional() }),
    });
    const ctx = new ParseContext();
    const v = schema.parse({ endpoint: 'x', headers: { authorization: 'Bearer abc' }, auth: { user: 'u', password: 'p' } }, ctx);
    expect(ctx.issues).toEqual([]);
    expect(schema.redact(v)).toEqual({ endpoint: 'x', headers: { authorization: '[REDACTED]' }, auth: { user: 'u', password: '[REDACTED]' } });
    expect(v.auth.password).toBe('p');
  });
});

describe('@opentelemetry/api bridge', () => {
  it('records API counters and gauges into the self-metrics registry', async () => {
    const { metrics } = await import('@opentelemetry/api');
    const { MetricRegistry } = await import('../../src/telemetry/self.js');
    const { installGlobalMeter } = await import('../../src/telemetry/otel-api.js');
    const reg = new MetricRegistry();
    installGlobalMeter(reg);
    const m = metrics.getMeter('test');
    m.createCounter('my.requests', { description: 'reqs' }).add(3, { 'http.method': 'GET' });
    m.createGauge('my.temp').record(21.5);
    const text = reg.renderPrometheus();
    expect(text).toContain('my_requests_total{http_method="GET"} 3');
    expect(text).toContain('my_temp 21.5');
  });
});
