// The history exporter inside the real agent (dist/telemd.js): hostmetrics into the store, a
// kill -9 during writes and a restart, queries through the console, and a tiny disk cap.
import { describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { agentsKilledAfterEach } from '../helpers/agents.js';
import { until } from '../helpers/wait.js';
import { freePort } from '../helpers/ports.js';
import { Tsdb } from '../../src/tsdb/store.js';

const startAgent = agentsKilledAfterEach();

async function selfMetric(port: number, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text());
  let total = 0;
  for (const line of text.split('\n'))
    if ((line.startsWith(`${name}{`) || line.startsWith(`${name} `)) && Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`)))
      total += Number(line.split(' ').pop());
  return total;
}

function config(dir: string, extra = ''): string {
  return `
receivers:
  hostmetrics:
    collection_interval: 200ms
    scrapers: { cpu: { per_cpu: true }, memory:, load:, filesystem:, network:, disk:, paging:, processes:, system: }
exporters:
  history:
    directory: ${dir}
${extra}
service:
  pipelines:
    metrics: { receivers: [hostmetrics], exporters: [history] }
`;
}

describe('history exporter in the agent', () => {
  it('kill -9 during writes at 1 s collection: after restart every sample written before the last WAL fsync is queryable, each once', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'telemd-history-agent-'));
    try {
      const port = await freePort();
      const tokenFile = join(dir, 'console.token');
      // 1 s collection, the default wal_fsync_interval (1 s), 2 s blocks so that head cuts and
      // WAL truncation happen while writing.
      const yaml = config(join(dir, 'h'), '    block_duration: 2s')
        .replace('collection_interval: 200ms', 'collection_interval: 1s')
        .replace('service:\n', `extensions:\n  console:\n    endpoint: 127.0.0.1:${port}\n    token_file: ${tokenFile}\nservice:\n  extensions: [console]\n`);
      const agent = await startAgent({ config: yaml });
      const token = (await until(() => readFile(tokenFile, 'utf8').catch(() => ''), 20_000, 'token file')).trim();
      // Every raw sample of every system_* series, through the console (a range vector answers raw samples).
      const raw = async () => {
        const q = encodeURIComponent('{__name__=~"system_.+"}[1h]');
        const r = (await (await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${q}`, { headers: { Authorization: `Bearer ${token}` } })).json()) as {
          status: string;
          data: { result: { metric: Record<string, string>; values: [number, string][] }[] };
        };
        expect(r.status).toBe('success');
        return new Map(r.data.result.map((x) => [JSON.stringify(x.metric), x.values]));
      };
      await until(async () => (await selfMetric(agent.selfMetricsPort, 'telemd_exporter_history_compactions_total', { tier: 'raw' })) >= 2, 40_000, 'raw blocks cut');
      const before = await raw();
      // Past the next fdatasync of the WAL: everything in `before` was written before it.
      const fsyncs = await selfMetric(agent.selfMetricsPort, 'telemd_exporter_history_wal_fsyncs_total');
      await until(async () => (await selfMetric(agent.selfMetricsPort, 'telemd_exporter_history_wal_fsyncs_total')) > fsyncs, 10_000, 'a WAL fsync');
      const appended = await selfMetric(agent.selfMetricsPort, 'telemd_exporter_history_samples_appended_total');
      await agent.kill9(); // the receiver keeps scraping every second: the kill lands among writes

      // The store on its own, as the next start finds it: everything counted as appended, in order.
      const db = await Tsdb.open({ dir: join(dir, 'h'), blockDurationMs: 2000 });
      let stored = 0;
      let unordered = 0;
      try {
        // target_info: the host receivers' resources carry host.name/host.id, so it is appended too.
        for (const s of await db.select({ minT: 0, maxT: Date.now() + 60_000 }, [{ name: '__name__', type: '=~', value: 'system_.+|target_info' }])) {
          stored += s.t.length;
          for (let i = 1; i < s.t.length; i++) if (s.t[i]! <= s.t[i - 1]!) unordered++;
        }
      } finally {
        await db.close();
      }
      expect(unordered).toBe(0);
      expect(stored).toBeGreaterThanOrEqual(appended);

      // Restarted, the agent answers every sample of before the kill, once.
      const again = await startAgent({ config: yaml });
      const after = await raw();
      let missing = 0;
      let changed = 0;
      let dups = 0;
      let samples = 0;
      for (const [key, vals] of before) {
        const now = after.get(key);
        if (!now) {
          missing += vals.length;
          continue;
        }
        for (let i = 1; i < now.length; i++) if (now[i]![0] <= now[i - 1]![0]) dups++;
        const byT = new Map(now.map(([t, v]) => [t, v]));
        for (const [t, v] of vals) {
          samples++;
          if (!byT.has(t)) missing++;
          else if (byT.get(t) !== v) changed++;
        }
      }
      console.log(
        `agent kill -9 at 1 s collection: ${samples} samples in ${before.size} series queried before the last fsync, all queried again after restart ` +
          `(missing ${missing}, changed ${changed}, duplicated ${dups}); ${appended} appended before the kill, ${stored} in the store`,
      );
      expect(before.size).toBeGreaterThan(20);
      expect(samples).toBeGreaterThan(before.size * 3);
      expect({ missing, changed, dups }).toEqual({ missing: 0, changed: 0, dups: 0 });
      await again.stop();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('is what the console queries: PromQL over the history through its Prometheus API', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'telemd-history-agent-'));
    try {
      const port = await freePort();
      const tokenFile = join(dir, 'console.token');
      const yaml = config(join(dir, 'h')).replace(
        'service:\n',
        `extensions:\n  console:\n    endpoint: 127.0.0.1:${port}\n    token_file: ${tokenFile}\nservice:\n  extensions: [console]\n`,
      );
      const agent = await startAgent({ config: yaml });
      const token = (await until(() => readFile(tokenFile, 'utf8').catch(() => ''), 20_000, 'token file')).trim();
      const get = async (q: string) =>
        (await (await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(q)}`, { headers: { Authorization: `Bearer ${token}` } })).json()) as {
          status: string;
          data: { result: { metric: Record<string, string>; value: [number, string] }[] };
        };
      const r = await until(async () => {
        const x = await get('sum by (cpu) (rate(system_cpu_time_seconds_total[2s]))');
        return x.data?.result?.length ? x : undefined;
      }, 30_000, 'a rate from the history');
      expect(r.status).toBe('success');
      expect(r.data.result.every((x) => /^cpu\d+$/.test(x.metric.cpu!) && Number(x.value[1]) >= 0)).toBe(true);
      const meta = (await (await fetch(`http://127.0.0.1:${port}/api/v1/metadata?metric=system_cpu_time_seconds_total`, { headers: { Authorization: `Bearer ${token}` } })).json()) as { data: Record<string, { type: string; help: string; unit: string }[]> };
      // The store keeps each family's description (the OTLP metric's), as Prometheus keeps HELP.
      expect(meta.data.system_cpu_time_seconds_total).toEqual([{ type: 'counter', help: expect.stringMatching(/CPU/) as unknown as string, unit: 'seconds' }]);
      await agent.stop();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('with a tiny max_size deletes the oldest blocks, counts them and keeps running', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'telemd-history-agent-'));
    try {
      const agent = await startAgent({ config: config(join(dir, 'h'), '    block_duration: 1s\n    max_size: 96KiB\n    tiers: [{ resolution: raw, retention: 1d }]') });
      const port = agent.selfMetricsPort;
      await until(async () => (await selfMetric(port, 'telemd_exporter_history_deleted_blocks_total', { tier: 'raw', reason: 'size' })) >= 3, 40_000, 'blocks deleted by the disk cap');
      const a1 = await selfMetric(port, 'telemd_exporter_history_samples_appended_total');
      const deleted = await selfMetric(port, 'telemd_exporter_history_deleted_samples_total', { reason: 'size' });
      await until(async () => (await selfMetric(port, 'telemd_exporter_history_samples_appended_total')) > a1, 10_000, 'more samples');
      const disk = (await selfMetric(port, 'telemd_exporter_history_disk_bytes', { tier: 'raw' })) + (await selfMetric(port, 'telemd_exporter_history_disk_bytes', { tier: 'wal' }));
      const oldest = await selfMetric(port, 'telemd_exporter_history_oldest_timestamp_seconds', { tier: 'raw' });
      console.log(`disk cap 96 KiB: ${deleted} samples deleted with their blocks, ${disk} bytes on disk, oldest ${(Date.now() / 1000 - oldest).toFixed(1)} s ago`);
      expect(deleted).toBeGreaterThan(0);
      expect(disk).toBeLessThanOrEqual(96 * 1024 + 64 * 1024); // the cap, plus at most the block being cut
      expect(Date.now() / 1000 - oldest).toBeLessThan(60);
      expect(agent.proc.exitCode).toBeNull();
      expect(agent.logs.some((l) => /disk cap reached/.test(l.msg))).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
