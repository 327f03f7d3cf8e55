// httpcheck against a test server in its own process: healthy, 500, not listening, hanging
// past the timeout, HTTPS with a certificate made by openssl (expiry, verification), redirects,
// validations, headers never shown.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ParseContext } from '../../src/config/schema.js';
import type { MetricsData, NumberDataPoint } from '../../src/pdata/types.js';
import { configSchema, type Config } from '../../receivers/httpcheck/config.js';
import { factory } from '../../receivers/httpcheck/index.js';
import { HttpCheckReceiver } from '../../receivers/httpcheck/receiver.js';
import { checkServersKilledAfterEach } from '../helpers/checkserver.js';
import { testSettings } from '../helpers/settings.js';
import { until } from '../helpers/wait.js';

const startServer = checkServersKilledAfterEach();

function parse(raw: unknown): { cfg: Config; ctx: ParseContext } {
  const ctx = new ParseContext();
  const cfg = configSchema.parse(raw, ctx);
  return { cfg, ctx };
}

interface Run {
  batches: MetricsData[];
  stop(): Promise<void>;
  points(name: string): NumberDataPoint[];
  last(name: string, attrs?: Record<string, string>): NumberDataPoint | undefined;
}

async function run(raw: unknown): Promise<Run> {
  const { cfg, ctx } = parse(raw);
  expect(ctx.issues).toEqual([]);
  expect(factory.validate!(cfg)).toEqual([]);
  const batches: MetricsData[] = [];
  const r = new HttpCheckReceiver(testSettings('httpcheck/t', 'receiver'), cfg, { consume: async (d) => void batches.push(d) });
  await r.start({} as never);
  const points = (name: string): NumberDataPoint[] =>
    batches.flatMap((b) => b.resourceMetrics.flatMap((rm) => rm.scopeMetrics.flatMap((sm) => sm.metrics.filter((m) => m.name === name).flatMap((m) => ('dataPoints' in m ? (m.dataPoints as NumberDataPoint[]) : [])))));
  return {
    batches,
    stop: () => r.shutdown(),
    points,
    last: (name, attrs = {}) => points(name).filter((p) => Object.entries(attrs).every(([k, v]) => String(p.attributes[k]) === v)).at(-1),
  };
}

const num = (p: NumberDataPoint | undefined): number => Number(p?.value);

describe('httpcheck', () => {
  it('reports 2xx and phase timings, then 500, then refused, then a timeout, then recovery', async () => {
    const srv = await startServer();
    const r = await run({ collection_interval: '200ms', initial_delay: 0, targets: [{ endpoint: srv.url, timeout: '150ms' }] });
    try {
      const probes = () => r.points('httpcheck.probes').length;
      await until(() => r.last('httpcheck.status', { 'http.status_class': '2xx' }), 5000, 'a 2xx');
      const ok = r.last('httpcheck.status', { 'http.status_class': '2xx' })!;
      expect(ok.value).toBe(1n);
      expect(ok.attributes['http.status_code']).toBe(200n);
      expect(ok.attributes['http.method']).toBe('GET');
      expect(r.last('httpcheck.status', { 'http.status_class': '5xx' })!.attributes['http.status_code']).toBeUndefined();
      expect(num(r.last('httpcheck.duration'))).toBeGreaterThan(0);
      expect(num(r.last('httpcheck.client.connection.duration'))).toBeGreaterThan(0);
      expect(num(r.last('httpcheck.response.size'))).toBeGreaterThan(0);
      expect(r.last('httpcheck.tls.cert_remaining')).toBeUndefined();
      expect(num(r.last('httpcheck.probes.failed'))).toBe(0);
      const rm = r.batches[0]!.resourceMetrics[0]!.scopeMetrics[0]!;
      expect(rm.scope).toEqual({ name: 'telemd/receiver/httpcheck', attributes: { 'telemd.receiver.id': 'httpcheck/t' } });

      await srv.mode('error');
      await until(() => num(r.last('httpcheck.status', { 'http.status_class': '5xx' })) === 1, 5000, 'a 5xx');
      expect(r.last('httpcheck.status', { 'http.status_class': '5xx' })!.attributes['http.status_code']).toBe(500n);
      await until(() => num(r.last('httpcheck.probes.failed')) >= 1, 5000, 'a failed probe counted');

      await srv.listen(false);
      await until(() => /connection refused/.test(String(r.last('httpcheck.error')?.attributes['error.message'] ?? '')), 5000, 'connection refused');
      const refused = r.last('httpcheck.error')!;
      expect(refused.attributes['error.message']).toBe(`dial tcp 127.0.0.1:${srv.port}: connect: connection refused`);
      expect(num(r.last('httpcheck.status', { 'http.status_class': '2xx' }))).toBe(0);

      await srv.listen(true);
      await srv.mode('hang');
      await until(() => /timeout after 150ms awaiting response headers/.test(String(r.last('httpcheck.error')?.attributes['error.message'] ?? '')), 5000, 'a timeout');
      // The timed-out probe took the whole timeout, spent waiting for the first byte.
      const tNs = r.last('httpcheck.error')!.timeUnixNano;
      const dur = r.points('httpcheck.duration').find((p) => p.timeUnixNano === tNs)!;
      expect(num(dur)).toBeGreaterThanOrEqual(145);
      expect(num(r.points('httpcheck.first_byte.duration').find((p) => p.timeUnixNano === tNs))).toBeGreaterThanOrEqual(100);

      await srv.mode('ok');
      const before = probes();
      await until(() => probes() > before + 1 && num(r.last('httpcheck.status', { 'http.status_class': '2xx' })) === 1, 5000, 'recovery');
    } finally {
      await r.stop();
    }
  });

  it('HTTPS with a certificate made by openssl: expiry, issuer, refused unless trusted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'httpcheck-tls-'));
    const cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '30', '-subj', '/CN=localhost/O=telemd test', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });
    const notAfter = Date.parse(execFileSync('openssl', ['x509', '-in', cert, '-noout', '-enddate'], { encoding: 'utf8' }).trim().replace('notAfter=', ''));
    const srv = await startServer({ tls: { cert, key } });
    const r = await run({
      collection_interval: '300ms',
      initial_delay: 0,
      targets: [
        { endpoint: srv.url, tls: { ca_file: cert } },
        { endpoint: `https://localhost:${srv.port}/`, headers: { Authorization: 'Bearer s3cret' } },
        { endpoint: `https://localhost:${srv.port}/x`, tls: { insecure_skip_verify: true }, validations: [{ json_path: '$.status', equals: 'ok' }, { contains: 'nothere' }] },
      ],
    });
    try {
      await until(() => r.points('httpcheck.probes').length >= 3, 5000, 'three probes');
      const exp = r.last('httpcheck.tls.cert_remaining', { 'http.url': srv.url })!;
      expect(Math.abs(num(exp) - (notAfter - Date.now()) / 1000)).toBeLessThan(5);
      expect(exp.attributes['http.tls.cn']).toBe('localhost');
      expect(exp.attributes['http.tls.issuer']).toContain('CN=localhost');
      expect(exp.attributes['http.tls.san']).toBe('localhost,127.0.0.1');
      expect(num(r.last('httpcheck.tls.handshake.duration', { 'http.url': srv.url }))).toBeGreaterThan(0);
      expect(num(r.last('httpcheck.probes.failed', { 'http.url': srv.url }))).toBe(0);
      // Not trusted: the probe fails with the reason, and the expiry is still reported.
      const untrusted = `https://localhost:${srv.port}/`;
      await until(() => r.last('httpcheck.error', { 'http.url': untrusted }), 5000, 'untrusted error');
      expect(r.last('httpcheck.error', { 'http.url': untrusted })!.attributes['error.message']).toBe('tls: failed to verify certificate: self-signed certificate');
      expect(r.last('httpcheck.tls.cert_remaining', { 'http.url': untrusted })).toBeDefined();
      // insecure_skip_verify: answered; one validation passes, one fails, so the probe fails.
      const skip = `https://localhost:${srv.port}/x`;
      await until(() => r.last('httpcheck.validation.failed', { 'http.url': skip }), 5000, 'validations');
      expect(num(r.last('httpcheck.validation.passed', { 'http.url': skip, 'validation.type': 'json_path' }))).toBe(1);
      expect(num(r.last('httpcheck.validation.failed', { 'http.url': skip, 'validation.type': 'contains' }))).toBe(1);
      expect(num(r.last('httpcheck.probes.failed', { 'http.url': skip }))).toBeGreaterThan(0);
      // The header reached the server but appears in no point.
      expect(JSON.stringify(r.batches, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))).not.toContain('s3cret');
    } finally {
      await r.stop();
    }
  });

  it('follows redirects (timings over both hops) or reports the 3xx when told not to', async () => {
    const srv = await startServer();
    const r = await run({
      collection_interval: '200ms',
      initial_delay: 0,
      targets: [{ endpoint: `${srv.url}redirect` }, { endpoint: `${srv.url}redirect?no`, follow_redirects: false, valid_status_codes: ['302'] }],
    });
    try {
      await until(() => r.last('httpcheck.status', { 'http.url': `${srv.url}redirect`, 'http.status_class': '2xx' }) && r.last('httpcheck.status', { 'http.url': `${srv.url}redirect?no`, 'http.status_class': '3xx' }), 5000, 'both');
      expect(num(r.last('httpcheck.status', { 'http.url': `${srv.url}redirect`, 'http.status_class': '2xx' }))).toBe(1);
      expect(num(r.last('httpcheck.status', { 'http.url': `${srv.url}redirect?no`, 'http.status_class': '3xx' }))).toBe(1);
      expect(num(r.last('httpcheck.probes.failed', { 'http.url': `${srv.url}redirect?no` }))).toBe(0);
    } finally {
      await r.stop();
    }
  });

  it('refuses malformed URLs and bad regexes at their positions, warns for keys it does not implement', () => {
    const { ctx } = parse({ targets: [{ endpoint: 'http//nohost' }, { endpoints: ['ftp://x/'] }, { endpoint: 'http://a/', validations: [{ regex: '(unclosed' }], valid_status_codes: ['abc'], proxy_url: 'http://p' }], metrics: { 'httpcheck.statuz': { enabled: true } } });
    const msgs = ctx.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(msgs).toContain('targets.0.endpoint: "endpoint" must be in the form of <scheme>://<hostname>[:<port>]: invalid URL "http//nohost"');
    expect(msgs).toContain('targets.1.endpoints.0: "endpoint" must be an http:// or https:// URL, got scheme "ftp"');
    expect(msgs.some((m) => m.startsWith('targets.2.validations.0.regex: invalid regular expression: error parsing regexp: missing closing )'))).toBe(true);
    expect(msgs.some((m) => m.startsWith('targets.2.valid_status_codes.0: expected a status code'))).toBe(true);
    expect(msgs).toContain('metrics.httpcheck.statuz: unknown metric "httpcheck.statuz"; did you mean "httpcheck.status"?');
    expect(ctx.warnings.map((w) => w.path.join('.'))).toContain('targets.2.proxy_url');
  });

  it('redacts header values and body in print-config', () => {
    const { cfg } = parse({ targets: [{ endpoint: 'http://a/', headers: { Authorization: 'Bearer s3cret' }, body: 'pw=1' }] });
    const shown = JSON.stringify(configSchema.redact(cfg));
    expect(shown).not.toContain('s3cret');
    expect(shown).not.toContain('pw=1');
    expect(shown).toContain('[REDACTED]');
  });
});
