// The history exporter inside the real agent (dist/telemd.js): hostmetrics every 200 ms into
// the store, a kill -9, and a tiny disk cap.
import { describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { agentsKilledAfterEach } from '../helpers/agents.js';
import { until } from '../helpers/wait.js';
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
        const all = await db.select({ minT: 0, maxT: Date.now() + 60_000 }, [{ name: '__name__', type: '=~', value: 'system_.+' }]);
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
