// The history exporter inside the real agent (dist/telemd.js): hostmetrics every 200 ms into
// the store, a kill -9, and a tiny disk cap.
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
  it('keeps every sample it counted as appended across kill -9, each once', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'telemd-history-agent-'));
    try {
      const agent = await startAgent({ config: config(join(dir, 'h'), '    block_duration: 2s') });
      const port = agent.selfMetricsPort;
      // Past a few cuts of the head into blocks.
      await until(async () => (await selfMetric(port, 'telemd_exporter_history_compactions_total', { tier: 'raw' })) >= 2, 30_000, 'raw blocks');
      const appended = await selfMetric(port, 'telemd_exporter_history_samples_appended_total');
      expect(appended).toBeGreaterThan(0);
      await agent.kill9();
      const db = await Tsdb.open({ dir: join(dir, 'h'), blockDurationMs: 2000 });
      try {
        // target_info: the host receivers' resources carry host.name/host.id, so it is appended too.
      const all = await db.select({ minT: 0, maxT: Date.now() + 60_000 }, [{ name: '__name__', type: '=~', value: 'system_.+|target_info' }]);
        let stored = 0;
        let unordered = 0;
        for (const s of all) {
          stored += s.t.length;
          for (let i = 1; i < s.t.length; i++) if (s.t[i]! <= s.t[i - 1]!) unordered++;
        }
        const cpu = all.filter((s) => s.labels.__name__ === 'system_cpu_time_seconds_total');
        console.log(`agent kill -9: ${appended} samples appended before the kill, ${stored} stored after restart in ${all.length} series; ${unordered} out of order or duplicated`);
        expect(cpu.length).toBeGreaterThan(0);
        expect(cpu[0]!.labels.cpu).toMatch(/^cpu\d+$/);
        expect(unordered).toBe(0);
        expect(stored).toBeGreaterThanOrEqual(appended);
      } finally {
        await db.close();
      }
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
      const meta = (await (await fetch(`http://127.0.0.1:${port}/api/v1/metadata?metric=system_cpu_time_seconds_total`, { headers: { Authorization: `Bearer ${token}` } })).json()) as { data: Record<string, { type: string }[]> };
      expect(meta.data.system_cpu_time_seconds_total?.[0]?.type).toBe('counter');
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
