// Scale-out the Collector way: an edge telemd with the loadbalancing exporter in front of three
// real telemd gateways (otlp receiver -> file exporter, child processes on free ports). One
// gateway is stopped mid-run and brought back: every acknowledged record is in exactly one
// gateway's file, each trace on the gateway the ring names, the other two kept receiving
// during the outage, and the stopped one's share waited in its own queue and arrived after.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HashRing } from '../../exporters/loadbalancing/ring.js';
import { route } from '../../exporters/loadbalancing/route.js';
import { DnsResolver, withPort } from '../../exporters/loadbalancing/resolver.js';
import type { LogsData } from '../../src/pdata/types.js';
import { tempDir, type Agent } from '../helpers/agent.js';
import { agentsKilledAfterEach } from '../helpers/agents.js';
import { freePort } from '../helpers/ports.js';
import { until } from '../helpers/wait.js';
import { testSettings } from '../helpers/settings.js';

describe('hash ring', () => {
  const eps = ['10.0.0.1:4317', '10.0.0.2:4317', '10.0.0.3:4317'];
  const keys = Array.from({ length: 30_000 }, (_, i) => `trace-${i}`);

  it('shares keys evenly and moves only the leaving backend\'s share', () => {
    const ring = new HashRing(eps);
    const before = keys.map((k) => ring.owner(k)!);
    for (const e of eps) expect(before.filter((o) => o === e).length / keys.length).toBeGreaterThan(0.25);
    const without = new HashRing([eps[0]!, eps[2]!]);
    let moved = 0;
    keys.forEach((k, i) => {
      const o = without.owner(k)!;
      if (before[i] !== eps[1]) expect(o).toBe(before[i]);
      else moved++;
    });
    expect(moved).toBe(before.filter((o) => o === eps[1]).length);
    // Back again: exactly the old owners.
    const back = new HashRing([...eps].reverse());
    keys.forEach((k, i) => expect(back.owner(k)).toBe(before[i]));
  });

  it('routes each trace, service or stream to one backend, keeping resources and scopes', () => {
    const ring = new HashRing(eps);
    const tid = () => new Uint8Array(randomBytes(16));
    const logs: LogsData = {
      resourceLogs: [
        { resource: { attributes: { 'service.name': 'a' } }, scopeLogs: [{ scope: { name: 's' }, logRecords: Array.from({ length: 300 }, () => ({ traceId: tid(), body: 'x', attributes: {}, timeUnixNano: 0n, observedTimeUnixNano: 0n, severityNumber: 0 })) }] },
      ],
    } as unknown as LogsData;
    const parts = route('logs', logs, 'traceID', (k) => ring.owner(k));
    expect(parts.size).toBe(3);
    let n = 0;
    for (const [ep, p] of parts)
      for (const rl of p.resourceLogs) {
        expect(rl.resource.attributes['service.name']).toBe('a');
        for (const sl of rl.scopeLogs) {
          expect(sl.scope.name).toBe('s');
          for (const r of sl.logRecords) {
            expect(ring.owner(Buffer.from(r.traceId!).toString('hex'))).toBe(ep);
            n++;
          }
        }
      }
    expect(n).toBe(300);
    expect(route('logs', logs, 'service', (k) => ring.owner(k)).size).toBe(1);
  });

  it('dns resolver: every address of the name is a backend, re-resolved; a failure keeps the last set', async () => {
    const seen: string[][] = [];
    const real = new DnsResolver({ hostname: 'localhost', port: 4317, interval: 60_000, timeout: 2000 }, testSettings('loadbalancing', 'exporter').logger, testSettings('loadbalancing', 'exporter').telemetry);
    await real.start(async (e) => void seen.push(e));
    real.stop();
    expect(seen[0]).toContain('127.0.0.1:4317');
    let answer: { address: string; family: number }[] | Error = [{ address: '127.0.0.2', family: 4 }, { address: '127.0.0.3', family: 4 }];
    const changes: string[][] = [];
    const r = new DnsResolver({ hostname: 'gw', port: 5317, interval: 60_000, timeout: 500 }, testSettings('loadbalancing', 'exporter').logger, testSettings('loadbalancing', 'exporter').telemetry, async () => {
      if (answer instanceof Error) throw answer;
      return answer;
    });
    const on = async (e: string[]) => void changes.push(e);
    await r.start(on);
    answer = [{ address: '127.0.0.2', family: 4 }];
    await r.resolve(on);
    answer = new Error('SERVFAIL');
    await r.resolve(on);
    answer = [{ address: '::1', family: 6 }, { address: '127.0.0.2', family: 4 }];
    await r.resolve(on);
    r.stop();
    expect(changes).toEqual([['127.0.0.2:5317', '127.0.0.3:5317'], ['127.0.0.2:5317'], ['127.0.0.2:5317', '[::1]:5317']]);
    expect(withPort('gw-1', 4317)).toBe('gw-1:4317');
    expect(withPort('[::1]', 4317)).toBe('[::1]:4317');
    expect(withPort('gw-1:5000', 4317)).toBe('gw-1:5000');
  });
});

describe('loadbalancing exporter across three real gateways', () => {
  const start = agentsKilledAfterEach();

  function gatewayConfig(port: number, file: string): string {
    return `
receivers:
  otlp:
    protocols:
      grpc: { endpoint: 127.0.0.1:${port} }
exporters:
  file: { path: ${file} }
service:
  pipelines:
    logs: { receivers: [otlp], exporters: [file] }
`;
  }

  /** trace id (hex) -> gateway index, from the gateways' files. */
  function collect(files: string[]): { where: Map<string, number[]>; counts: number[] } {
    const where = new Map<string, number[]>();
    const counts = files.map(() => 0);
    files.forEach((f, i) => {
      if (!existsSync(f)) return;
      for (const line of readFileSync(f, 'utf8').split('\n')) {
        if (!line) continue;
        const d = JSON.parse(line) as { resourceLogs: { scopeLogs: { logRecords: { traceId: string }[] }[] }[] };
        for (const rl of d.resourceLogs)
          for (const sl of rl.scopeLogs)
            for (const r of sl.logRecords) {
              counts[i]!++;
              const id = r.traceId.toLowerCase();
              where.set(id, [...(where.get(id) ?? []), i]);
            }
      }
    });
    return { where, counts };
  }

  it('routes by trace id, keeps a stopped gateway\'s share in its queue, loses nothing acknowledged', async () => {
    const dir = tempDir('telemd-lb-');
    const ports = [await freePort(), await freePort(), await freePort()];
    const files = ports.map((_, i) => join(dir, `gw${i}.jsonl`));
    const gwDirs = ports.map(() => tempDir('telemd-gw-'));
    const gateways: Agent[] = [];
    for (const [i, p] of ports.entries()) gateways.push(await start({ config: gatewayConfig(p, files[i]!), dir: gwDirs[i] }));
    const edgePort = await freePort();
    const endpoints = ports.map((p) => `127.0.0.1:${p}`);
    const edge = await start({
      dir,
      config: `
receivers:
  otlp:
    protocols:
      http: { endpoint: 127.0.0.1:${edgePort} }
exporters:
  loadbalancing:
    routing_key: traceID
    resolver:
      static: { hostnames: [${endpoints.join(', ')}] }
    protocol:
      otlp:
        tls: { insecure: true }
        timeout: 2s
        sending_queue: { storage: file_storage, queue_size: 100000, sizer: items }
        retry_on_failure: { initial_interval: 100ms, max_interval: 500ms, max_elapsed_time: 0s }
extensions:
  file_storage: { directory: ${join(dir, 'state')} }
service:
  extensions: [file_storage]
  pipelines:
    logs: { receivers: [otlp], exporters: [loadbalancing] }
`,
    });

    const acked: string[] = [];
    let seq = 0;
    async function sendBatch(n: number): Promise<void> {
      const ids = Array.from({ length: n }, () => randomBytes(16).toString('hex'));
      const body = {
        resourceLogs: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'lb-test' } }] }, scopeLogs: [{ scope: { name: 't' }, logRecords: ids.map((id) => ({ traceId: id, spanId: randomBytes(8).toString('hex'), body: { stringValue: `r${seq++}` } })) }] }],
      };
      const res = await fetch(`http://127.0.0.1:${edgePort}/v1/logs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      if (res.status === 200) acked.push(...ids);
      else await res.arrayBuffer();
    }
    const ring = new HashRing(endpoints);
    const ownerIdx = (id: string) => endpoints.indexOf(ring.owner(id)!);

    for (let i = 0; i < 20; i++) await sendBatch(50);
    await until(() => collect(files).counts.reduce((a, b) => a + b, 0) === acked.length, 20_000, 'the first phase delivered');

    // Gateway 1 goes away mid-run; the others must keep receiving their share.
    expect(await gateways[1]!.stop()).toBe(0);
    const atStop = collect(files).counts;
    const duringOutage: string[] = [];
    for (let i = 0; i < 20; i++) {
      const before = acked.length;
      await sendBatch(50);
      duringOutage.push(...acked.slice(before));
    }
    await until(() => {
      const c = collect(files).counts;
      const expected = duringOutage.filter((id) => ownerIdx(id) !== 1).length;
      return c[0]! + c[2]! - atStop[0]! - atStop[2]! === expected;
    }, 20_000, 'gateways 0 and 2 to get their share during the outage');
    expect(collect(files).counts[1]).toBe(atStop[1]);

    // Back on the same port: its queued share arrives, routing unchanged.
    gateways[1] = await start({ config: gatewayConfig(ports[1]!, files[1]!), dir: gwDirs[1] });
    for (let i = 0; i < 20; i++) await sendBatch(50);
    await until(() => collect(files).counts.reduce((a, b) => a + b, 0) >= acked.length, 30_000, 'everything acknowledged to arrive');

    const { where, counts } = collect(files);
    const lost = acked.filter((id) => !where.has(id));
    const dup = [...where.values()].filter((w) => w.length > 1).length;
    console.log(`loadbalancing: ${acked.length} records acknowledged of ${seq} sent; per gateway ${counts.join(' / ')}; lost ${lost.length}; duplicates ${dup}; ${duringOutage.filter((id) => ownerIdx(id) === 1).length} held for the stopped gateway`);
    expect(acked.length).toBe(seq);
    expect(lost).toEqual([]);
    for (const id of acked) expect(new Set(where.get(id))).toEqual(new Set([ownerIdx(id)]));
    expect(counts.every((c) => c > acked.length / 5)).toBe(true);
    expect(await edge.stop()).toBe(0);
  }, 120_000);
});
