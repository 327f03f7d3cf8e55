// Real StatsD packets over UDP, TCP and a Unix datagram socket (python3 as an independent client).
import { describe, expect, it } from 'vitest';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { ParseContext } from '../../src/config/schema.js';
import { MetricRegistry, SelfTelemetry } from '../../src/telemetry/self.js';
import { configSchema } from '../../receivers/statsd/config.js';
import { factory } from '../../receivers/statsd/index.js';
import { StatsdReceiver } from '../../receivers/statsd/receiver.js';
import { testHost } from '../helpers/host.js';
import { testSettings } from '../helpers/settings.js';
import type { Metric, MetricsData } from '../../src/pdata/types.js';
import { observed } from '../helpers/observe.js';
import { waitUntil as until } from '../helpers/wait.js';

const host = testHost();

function make(raw: Record<string, unknown>) {
  const ctx = new ParseContext();
  const cfg = configSchema.parse({ aggregation_interval: '1h', ...raw }, ctx);
  expect(ctx.issues).toEqual([]);
  expect(factory.validate!(cfg)).toEqual([]);
  const registry = new MetricRegistry();
  const got: MetricsData[] = [];
  const set = { id: { type: 'statsd', name: '', id: 'statsd' }, kind: 'receiver' as const, logger: pino({ level: 'silent' }), telemetry: new SelfTelemetry(registry, { receiver: 'statsd' }) };
  const r = new StatsdReceiver(set, cfg, observed(set, 'metrics', { consume: async (d) => void got.push(d) }));
  return { r, got, registry };
}

const metrics = (got: MetricsData[]): Metric[] => got.flatMap((d) => d.resourceMetrics.flatMap((rm) => rm.scopeMetrics.flatMap((s) => s.metrics)));
const value = (got: MetricsData[], name: string, attrs: Record<string, string> = {}) => {
  const m = metrics(got).find((x) => x.name === name);
  if (!m || (m.type !== 'sum' && m.type !== 'gauge')) return undefined;
  return m.dataPoints.find((p) => Object.entries(attrs).every(([k, v]) => p.attributes[k] === v))?.value;
};
/** Sum over every series of the family (reasons, signals). */
const counter = (reg: MetricRegistry, name: string) => reg.values(name).reduce((n, s) => n + s.value, 0);

describe('statsd receiver on real sockets', () => {
  it('UDP: aggregates good lines and skips a bad one in the same packet', async () => {
    const { r, got, registry } = make({ endpoint: '127.0.0.1:0' });
    await r.start(host);
    const [, port] = r.address!.split(':');
    const c = createSocket('udp4');
    const send = (s: string) => new Promise<void>((res) => c.send(s, Number(port), '127.0.0.1', () => res()));
    await send('req:1|c|#route:/a\nreq:1|c|#route:/a\nbogus line\nlat:12|ms\nqueue:7|g');
    await send('req:2|c|@0.5|#route:/b\nusers:u1|s\nusers:u2|s\nqueue:+3|g');
    c.close();
    await until(() => counter(registry, 'telemd_receiver_malformed_lines_total') === 1 && r['agg'].size >= 5);
    await r.shutdown();
    expect(value(got, 'req', { route: '/a' })).toBe(2n);
    expect(value(got, 'req', { route: '/b' })).toBe(4n);
    expect(value(got, 'queue')).toBe(10);
    expect(value(got, 'users')).toBe(2n);
    expect(metrics(got).find((m) => m.name === 'lat')!.type).toBe('exponentialHistogram');
    expect(counter(registry, 'telemd_receiver_refused_items_total')).toBe(1);
    expect(counter(registry, 'telemd_receiver_accepted_items_total')).toBe(5);
  });

  it('Unix datagram socket: packets from python3 are received; the socket file is removed at shutdown', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'statsd-'));
    const path = join(dir, 'statsd.sock');
    const { r, got } = make({ transport: 'unixgram', endpoint: path });
    await r.start(host);
    expect(statSync(path).isSocket()).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o660);
    execFileSync('python3', ['-c', `import socket\ns=socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)\nfor i in range(5): s.sendto(b"jobs.done:1|c|#queue:mail", ${JSON.stringify(path)})\ns.sendto(b"jobs.latency:250|ms\\nnot a metric", ${JSON.stringify(path)})`]);
    await until(() => r['agg'].size >= 2);
    await r.shutdown();
    expect(value(got, 'jobs.done', { queue: 'mail' })).toBe(5n);
    expect(metrics(got).some((m) => m.name === 'jobs.latency')).toBe(true);
    expect(existsSync(path)).toBe(false);
    rmSync(dir, { recursive: true });
  });

  it('refuses to replace a file that is not a socket', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'statsd-'));
    const path = join(dir, 'important.txt');
    execFileSync('sh', ['-c', `echo keep > ${path}`]);
    const { r } = make({ transport: 'unixgram', endpoint: path });
    await expect(r.start(host)).rejects.toThrow(/exists and is not a socket/);
    expect(existsSync(path)).toBe(true);
    rmSync(dir, { recursive: true });
  });

  it('TCP: newline-separated lines across chunk boundaries', async () => {
    const { r, got } = make({ transport: 'tcp', endpoint: '127.0.0.1:0' });
    await r.start(host);
    const port = Number(r.address!.split(':').pop());
    const sock = connect(port, '127.0.0.1');
    await new Promise((res) => sock.once('connect', res));
    sock.write('a:1|c\na:');
    await new Promise((res) => setTimeout(res, 20));
    sock.write('2|c\n');
    sock.end('b:3|g');
    await until(() => r['agg'].size >= 2);
    await r.shutdown();
    expect(value(got, 'a')).toBe(3n);
    expect(value(got, 'b')).toBe(3);
  });

  it('TCP: a client that never sends a newline cannot grow memory; its overlong line is skipped and counted, the next lines are read', async () => {
    const { r, got, registry } = make({ transport: 'tcp', endpoint: '127.0.0.1:0' });
    await r.start(host);
    const port = Number(r.address!.split(':').pop());
    const sock = connect(port, '127.0.0.1');
    await new Promise((res) => sock.once('connect', res));
    // 4 MiB without a newline: before, all of it was kept (and re-scanned per chunk) until one came.
    const mib = 'x'.repeat(1 << 20);
    for (let i = 0; i < 4; i++) sock.write(mib);
    const malformed = () => registry.values('telemd_receiver_malformed_lines_total').reduce((a, v) => a + v.value, 0);
    await until(() => malformed() === 1);
    sock.write('still:1|c\nok:5|c\n');
    await until(() => r['agg'].size >= 1);
    sock.end();
    await r.shutdown();
    expect(value(got, 'ok')).toBe(5n);
    // The rest of the overlong line (up to its newline, "still:1|c") was part of it.
    expect(value(got, 'still')).toBeUndefined();
    expect(malformed()).toBe(1);
  });

  it('warns once, naming receivers::<id>::endpoint, when UDP or TCP listen on every interface; never on loopback', async () => {
    const warnings: string[] = [];
    for (const [transport, endpoint] of [['udp', '0.0.0.0:0'], ['tcp', ':0'], ['udp', '127.0.0.1:0']] as const) {
      const set = testSettings(`statsd/${transport}${endpoint.startsWith('127') ? 'lo' : ''}`, 'receiver');
      const cfg = configSchema.parse({ transport, endpoint, aggregation_interval: '1h' }, new ParseContext());
      const r = new StatsdReceiver(set, cfg, observed(set, 'metrics', { consume: async () => {} }));
      await r.start(host);
      await r.shutdown();
      warnings.push(...set.lines.filter((l) => l.level === 40).map((l) => String(l.msg)));
    }
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain('statsd/udp (statsd udp) listens on every network interface (receivers::statsd/udp::endpoint)');
    expect(warnings[1]).toContain('(receivers::statsd/tcp::endpoint)');
  });

  it('emits every aggregation_interval and counts a refused batch', async () => {
    const ctx = new ParseContext();
    const cfg = configSchema.parse({ endpoint: '127.0.0.1:0', aggregation_interval: '100ms' }, ctx);
    const registry = new MetricRegistry();
    let calls = 0;
    const set = { id: { type: 'statsd', name: '', id: 'statsd' }, kind: 'receiver' as const, logger: pino({ level: 'silent' }), telemetry: new SelfTelemetry(registry) };
    const r = new StatsdReceiver(set, cfg, observed(set, 'metrics', { consume: async () => { calls++; throw new Error('downstream full'); } }));
    await r.start(host);
    r.onPacket(Buffer.from('x:1|c\ny:1|c'));
    await until(() => calls === 1, 2000);
    await r.shutdown();
    expect(counter(registry, 'telemd_receiver_refused_items_total')).toBe(2);
  });

  it('rejects bad endpoints in validation', () => {
    const ctx = new ParseContext();
    const bad = configSchema.parse({ endpoint: 'nohost' }, ctx);
    expect(factory.validate!(bad).join()).toMatch(/not host:port/);
    const bad2 = configSchema.parse({ transport: 'unixgram', endpoint: 'rel.sock', socket_mode: '999' }, ctx);
    expect(factory.validate!(bad2).join('\n')).toMatch(/absolute socket path[\s\S]*socket_mode/);
  });
});
