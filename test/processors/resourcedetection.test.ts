import { readFileSync } from 'node:fs';
import { arch, hostname } from 'node:os';
import { describe, expect, it } from 'vitest';
import { factory } from '../../processors/resourcedetection/index.js';
import { detect, parseResourceEnv } from '../../processors/resourcedetection/detectors.js';
import { gauge, log, logs, make, metrics, parseConfig, point, span, traces } from './helpers.js';

describe('env detector', () => {
  it('parses OTEL_RESOURCE_ATTRIBUTES with percent-decoding and reports bad entries', () => {
    const r = parseResourceEnv('service.name=api,deployment.environment=prod%20eu, team = core ,bogus,=x');
    expect(r.attrs).toEqual({ 'service.name': 'api', 'deployment.environment': 'prod eu', team: 'core' });
    expect(r.errors).toHaveLength(2);
  });
});

describe('system detector', () => {
  it('reads host.id from /etc/machine-id and fills host and os attributes', async () => {
    const cfg = parseConfig(factory, { detectors: ['system'], system: { hostname_sources: ['os'] } });
    const { attrs } = await detect(cfg, {});
    let machineId: string | undefined;
    try {
      machineId = readFileSync('/etc/machine-id', 'utf8').trim() || undefined;
    } catch {
      machineId = undefined;
    }
    if (machineId) expect(attrs['host.id']).toBe(machineId);
    expect(attrs['host.name']).toBe(hostname());
    expect(attrs['os.type']).toBe('linux');
    expect(attrs['host.arch']).toBe(arch() === 'x64' ? 'amd64' : arch());
    expect(String(attrs['os.description'])).toMatch(/Linux \d/);
  });

  it('lets attributes be switched off and earlier detectors win', async () => {
    const cfg = parseConfig(factory, {
      detectors: ['env', 'system'],
      system: { hostname_sources: ['os'], resource_attributes: { 'host.id': { enabled: false }, 'os.description': { enabled: false } } },
    });
    const { attrs } = await detect(cfg, { OTEL_RESOURCE_ATTRIBUTES: 'host.name=from-env' });
    expect(attrs['host.name']).toBe('from-env');
    expect('host.id' in attrs).toBe(false);
    expect('os.description' in attrs).toBe(false);
  });
});

describe('resourcedetection processor', () => {
  it('adds detected attributes to every signal; override false keeps existing values', async () => {
    const old = process.env.OTEL_RESOURCE_ATTRIBUTES;
    process.env.OTEL_RESOURCE_ATTRIBUTES = 'service.name=detected,team=obs';
    try {
      const cfg = { detectors: ['env', 'system'], system: { hostname_sources: ['os'] } };
      const l = await make(factory, cfg, 'logs');
      await l.p.consume(logs([log('x')], { 'service.name': 'mine' }));
      const ra = l.sink.batches[0]!.resourceLogs[0]!.resource.attributes;
      expect(ra['service.name']).toBe('detected');
      expect(ra['host.name']).toBe(hostname());
      const keep = await make(factory, { ...cfg, override: false }, 'traces');
      await keep.p.consume(traces([span('s')], { 'service.name': 'mine' }));
      const rt = keep.sink.batches[0]!.resourceSpans[0]!.resource.attributes;
      expect(rt['service.name']).toBe('mine');
      expect(rt.team).toBe('obs');
      const m = await make(factory, cfg, 'metrics');
      await m.p.consume(metrics([gauge('g', [point(1)])]));
      expect(m.sink.batches[0]!.resourceMetrics[0]!.resource.attributes['os.type']).toBe('linux');
    } finally {
      if (old === undefined) delete process.env.OTEL_RESOURCE_ATTRIBUTES;
      else process.env.OTEL_RESOURCE_ATTRIBUTES = old;
    }
  });

  it('rejects unknown detectors with a suggestion', () => {
    expect(() => parseConfig(factory, { detectors: ['sytem'] })).toThrow(/did you mean "system"/);
  });
});
