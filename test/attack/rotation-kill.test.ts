// kill -9 during rotation (issue 12): a real writer rotates its file every second (rename, or
// copytruncate as logrotate does it) while telemd is killed at seeded random moments and
// restarted. Nothing acknowledged may be lost, and the duplicates after each crash are bounded
// by what was in flight (receivers/filelog/README.md states the bound). TELEMD_SOAK=1: 60 s.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startAgent, tempDir, type Agent } from '../helpers/agent.js';
import { runTortureWriter, sleep, tallySeqs, tortureConfig, TORTURE_RATE, untilTrue } from '../filelog/torture-helpers.js';
import { rng } from '../otlp/mutate.js';
import { figure, peakRssMiB } from './figures.js';

const SOAK = process.env.TELEMD_SOAK === '1';
const SECONDS = SOAK ? 60 : 6;
/**
 * The README's bound per crash: what was in flight, at most 16 batches of max_batch_size (8192)
 * lines and at most 32 MiB estimated (text + 200 bytes per record; these lines are 101 bytes).
 */
const IN_FLIGHT_LINES = Math.min(16 * 8192, Math.floor((32 * 1024 * 1024) / (101 + 200)));

describe('attack: kill -9 during rotation', () => {
  for (const mode of ['rename', 'copytruncate'] as const)
    it(`${mode}: no loss, duplicates bounded by what was in flight per crash`, { timeout: (SECONDS + 90) * 1000 }, async () => {
      const r = rng(mode === 'rename' ? 1201 : 1202);
      const dir = tempDir('telemd-attack-rot-');
      const logs = join(dir, 'logs');
      mkdirSync(logs);
      const cfg = tortureConfig(dir, `${logs}/app.log*`);
      let agent: Agent = await startAgent({ config: cfg, dir });
      let maxRss = 0;
      const writing = runTortureWriter(join(logs, 'app.log'), mode, SECONDS);
      let kills = 0;
      const end = Date.now() + SECONDS * 1000 - 500;
      while (Date.now() < end) {
        await sleep(300 + r() * 900);
        maxRss = Math.max(maxRss, peakRssMiB(agent.proc.pid!));
        await agent.kill9();
        kills++;
        await sleep(r() * 300);
        agent = await startAgent({ config: cfg, dir });
      }
      const n = await writing;
      expect(n).toBe(TORTURE_RATE * SECONDS);
      await untilTrue(() => tallySeqs(dir, n).missing === 0, 30_000);
      await sleep(500);
      maxRss = Math.max(maxRss, peakRssMiB(agent.proc.pid!));
      expect(await agent.stop()).toBe(0);
      const t = tallySeqs(dir, n);
      figure(`kill -9 during ${mode} rotation`, { inputs: n, faults: kills, lost: t.missing, duplicates: t.dups, crashes: 0, maxRssMiB: maxRss });
      expect(t.missing, `first missing: ${t.firstMissing.join(',')}`).toBe(0);
      expect(t.dups).toBeLessThanOrEqual(kills * IN_FLIGHT_LINES);
    });
});
