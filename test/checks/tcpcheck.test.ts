// tcpcheck against a listening port (with send/expect and TLS) and a closed one.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ParseContext } from '../../src/config/schema.js';
import type { MetricsData, NumberDataPoint } from '../../src/pdata/types.js';
import { configSchema } from '../../receivers/tcpcheck/config.js';
import { TcpCheckReceiver } from '../../receivers/tcpcheck/receiver.js';
import { freePort } from '../helpers/ports.js';
import { testSettings } from '../helpers/settings.js';
import { until } from '../helpers/wait.js';

const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

function listen(s: Server): Promise<number> {
  servers.push(s);
  return new Promise((r) => s.listen(0, '127.0.0.1', () => r((s.address() as { port: number }).port)));
}

describe('tcpcheck', () => {
  it('a listening port is up (send/expect, TLS), a closed port is connection_refused', async () => {
    const plain = await listen(createServer((c) => c.on('data', (d) => (String(d).startsWith('PING') ? c.end('+PONG\r\n') : c.end('-ERR\r\n')))));
    const dir = mkdtempSync(join(tmpdir(), 'tcpcheck-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-days', '10', '-subj', '/CN=localhost'], { stdio: 'ignore' });
    const tlsPort = await listen(createTlsServer({ cert: readFileSync(join(dir, 'c.pem')), key: readFileSync(join(dir, 'k.pem')) }, (c) => c.end('hello\n')));
    const closed = await freePort();
    const ctx = new ParseContext();
    const cfg = configSchema.parse(
      {
        collection_interval: '200ms',
        initial_delay: 0,
        targets: [
          { endpoint: `127.0.0.1:${plain}`, send: 'PING\r\n', expect: '^\\+PONG' },
          { endpoint: `127.0.0.1:${plain}`, send: 'HELLO\r\n', expect: 'PONG', collection_interval: '250ms' },
          { endpoint: `127.0.0.1:${closed}` },
          { endpoint: `localhost:${tlsPort}`, tls: { ca_file: join(dir, 'c.pem') }, expect: 'hello' },
        ],
      },
      ctx,
    );
    expect(ctx.issues).toEqual([]);
    const batches: MetricsData[] = [];
    const r = new TcpCheckReceiver(testSettings('tcpcheck', 'receiver'), cfg, { consume: async (d) => void batches.push(d) });
    await r.start({} as never);
    const pts = (name: string, ep: string): NumberDataPoint[] =>
      batches.flatMap((b) => b.resourceMetrics.flatMap((rm) => rm.scopeMetrics.flatMap((sm) => sm.metrics.filter((m) => m.name === name).flatMap((m) => ('dataPoints' in m ? (m.dataPoints as NumberDataPoint[]) : []))))).filter((p) => p.attributes['tcpcheck.endpoint'] === ep);
    try {
      await until(() => pts('tcpcheck.probes', `127.0.0.1:${closed}`).length >= 2 && pts('tcpcheck.probes', `localhost:${tlsPort}`).length >= 1, 5000, 'probes');
      const okEp = `127.0.0.1:${plain}`;
      expect(pts('tcpcheck.status', okEp).some((p) => p.value === 1n)).toBe(true);
      expect(Number(pts('tcpcheck.duration', okEp).at(-1)!.value)).toBeGreaterThan(0);
      // Both targets share the endpoint; the one whose expect fails counts failures.
      expect(pts('tcpcheck.error', okEp).some((p) => p.attributes['error.code'] === 'expect_failed')).toBe(true);
      const refused = pts('tcpcheck.error', `127.0.0.1:${closed}`).at(-1)!;
      expect(refused.attributes['error.code']).toBe('connection_refused');
      expect(Number(refused.value)).toBeGreaterThanOrEqual(2); // cumulative, as contrib's counter
      expect(pts('tcpcheck.status', `127.0.0.1:${closed}`).at(-1)!.value).toBe(0n);
      expect(Number(pts('tcpcheck.probes.failed', `127.0.0.1:${closed}`).at(-1)!.value)).toBeGreaterThanOrEqual(2);
      const tls = `localhost:${tlsPort}`;
      expect(pts('tcpcheck.probes.failed', tls).at(-1)!.value).toBe(0n);
      expect(Number(pts('tcpcheck.tls.cert_remaining', tls).at(-1)!.value)).toBeGreaterThan(9 * 86400);
    } finally {
      await r.shutdown();
    }
  });

  it('refuses endpoints that are not host:port at their position', () => {
    const ctx = new ParseContext();
    configSchema.parse({ targets: [{ endpoint: 'localhost' }, { endpoint: '[::1]:99999' }, { endpoint: 'h:1', expect: '(' }] }, ctx);
    const msgs = ctx.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(msgs[0]).toBe('targets.0.endpoint: "endpoint" must be host:port (IPv6 as [::1]:port), got "localhost"');
    expect(msgs[1]).toMatch(/^targets\.1\.endpoint: /);
    expect(msgs[2]).toMatch(/^targets\.2\.expect: invalid regular expression/);
  });
});
