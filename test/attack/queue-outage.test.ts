// Persistent queue, kill -9 during an outage (issue 12): traffic flows into telemd while its
// backend is down; telemd is killed at seeded random moments and restarted (the queue on disk
// grows across the kills), then the backend comes back. Every item telemd acknowledged must
// arrive. TELEMD_SOAK=1: more kills over a longer outage.
import { describe, expect, it } from 'vitest';
import { startAgent, tempDir, type Agent } from '../helpers/agent.js';
import { freePort } from '../helpers/ports.js';
import { Backend, queueAgentConfig, Sender } from '../otlp/backend.js';
import { logsBody, waitFor } from '../otlp/traffic.js';
import { rng } from '../otlp/mutate.js';
import { figure, peakRssMiB } from './figures.js';

const SOAK = process.env.TELEMD_SOAK === '1';
const KILLS = SOAK ? 20 : 3;
const RATE = 5_000;

describe('attack: kill -9 of a persistent queue during an outage', () => {
  it(`${KILLS} kills while the backend is down lose nothing acknowledged`, { timeout: (SOAK ? 300 : 90) * 1000 }, async () => {
    const r = rng(1203);
    const backend = new Backend(await freePort());
    const rx = await freePort();
    const cfg = queueAgentConfig(rx, backend.url, tempDir());
    const dir = tempDir();
    let agent: Agent = await startAgent({ config: cfg, dir });
    const sender = new Sender(`http://127.0.0.1:${rx}/v1/logs`, RATE, logsBody);
    sender.start();
    let maxRss = 0;
    try {
      for (let k = 0; k < KILLS; k++) {
        await new Promise((res) => setTimeout(res, 700 + r() * 1500));
        maxRss = Math.max(maxRss, peakRssMiB(agent.proc.pid!));
        await agent.kill9();
        await new Promise((res) => setTimeout(res, r() * 300));
        agent = await startAgent({ config: cfg, dir });
      }
      await new Promise((res) => setTimeout(res, 500));
      await sender.stop(true);
      const acked = [...sender.acked];
      expect(acked.length).toBeGreaterThan(0);
      await backend.up();
      await waitFor(() => {
        const got = new Set(backend.seqs);
        return acked.every((x) => got.has(x));
      }, SOAK ? 120_000 : 40_000, 'acknowledged items at the backend');
      maxRss = Math.max(maxRss, peakRssMiB(agent.proc.pid!));
      const got = new Set(backend.seqs);
      const lost = acked.filter((x) => !got.has(x)).length;
      figure('persistent queue kill -9 during outage', {
        inputs: sender.sent,
        acknowledged: acked.length,
        faults: KILLS,
        lost,
        duplicates: backend.seqs.length - got.size,
        crashes: 0,
        maxRssMiB: maxRss,
      });
      expect(lost).toBe(0);
    } finally {
      await sender.stop(true).catch(() => {});
      await agent.kill9();
      await backend.down();
    }
  });
});
