// Full disk (issue 12): filelog → file exporter whose output file system (a real 1 MiB tmpfs)
// fills up while lines keep coming. The exporter's writes fail, the receiver pauses (the source
// file is the buffer), nothing crashes; once the file system has room again every line arrives.
// Needs root to mount (skipped otherwise). TELEMD_SOAK=1: ten times the lines while full.
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/agent.js';
import { agentsKilledAfterEach } from '../helpers/agents.js';
import { tmpfsForSuite } from '../helpers/tmpfs.js';
import { sleep, tallySeqs, tortureConfig, untilTrue } from '../filelog/torture-helpers.js';
import { figure, peakRssMiB } from './figures.js';

const SOAK = process.env.TELEMD_SOAK === '1';
// One fill-up: a tmpfs cannot be shrunk below what it holds, so it is not refilled.
const ROUNDS = 1;
const PER_ROUND = SOAK ? 300_000 : 30_000; // ~3.6 MB of output: far more than the 1 MiB file system
const disk = tmpfsForSuite('1m');
const startAgent = agentsKilledAfterEach();

const line = (i: number) => `seq=${String(i).padStart(9, '0')} ${'y'.repeat(80)}\n`;

describe('attack: full disk', () => {
  it(`the output file system fills ${ROUNDS} time(s): nothing lost once it has room again`, { timeout: 120_000 * ROUNDS }, async (ctx) => {
    if (!disk.mounted) {
      console.log('full-disk attack skipped: needs root to mount a tmpfs');
      ctx.skip();
    }
    const dir = tempDir('telemd-attack-disk-');
    mkdirSync(join(dir, 'logs'));
    const out = join(disk.path, `out-${Date.now()}`);
    const agent = await startAgent({ config: tortureConfig(dir, `${dir}/logs/app.log`, out), dir });
    let n = 0;
    let full = 0;
    let peak = 0;
    for (let round = 0; round < ROUNDS; round++) {
      execFileSync('mount', ['-o', 'remount,size=1m', disk.path]);
      for (let i = 0; i < PER_ROUND; i += 1000) {
        appendFileSync(join(dir, 'logs', 'app.log'), Array.from({ length: 1000 }, (_, k) => line(n + i + k)).join(''));
        await sleep(20);
      }
      n += PER_ROUND;
      // The file system filled: the exporter's write failed with ENOSPC (it cuts its partial write
      // off again, so df need not stay at 100 %) and the agent is still up, holding back.
      const sawFull = () => agent.logs.some((l) => JSON.stringify(l).includes('ENOSPC'));
      await untilTrue(sawFull, 20_000);
      if (sawFull()) full++;
      await sleep(1500);
      expect(agent.proc.exitCode).toBeNull();
      peak = Math.max(peak, peakRssMiB(agent.proc.pid!));
      // Room again (as when an operator frees space).
      execFileSync('mount', ['-o', `remount,size=${64 * (round + 1)}m`, disk.path]);
      await untilTrue(() => tallySeqs(dir, n, out).missing === 0, 60_000);
    }
    const t = tallySeqs(dir, n, out);
    peak = Math.max(peak, peakRssMiB(agent.proc.pid!));
    expect(await agent.stop()).toBe(0);
    figure('full disk', { inputs: n, faults: full, lost: t.missing, duplicates: t.dups, crashes: 0, maxRssMiB: peak });
    expect(full).toBe(ROUNDS);
    expect(t.missing, `first missing: ${t.firstMissing.join(',')}`).toBe(0);
  });
});
