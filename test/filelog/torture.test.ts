// End-to-end torture: a real writer process appends numbered lines at 20k lines/s while its
// file is rotated, truncated or deleted and telemd is restarted or killed; every number must
// reach the file exporter. TELEMD_SOAK=1 runs longer variants.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startAgent, tempDir, type Agent } from '../helpers/agent.js';
import { runTortureWriter, sleep, tallySeqs, tortureConfig, TORTURE_RATE, untilTrue as until } from './torture-helpers.js';

const SOAK = process.env.TELEMD_SOAK === '1';
const SECONDS = SOAK ? 60 : 4;
const RATE = TORTURE_RATE;
const config = tortureConfig;
const runWriter = (file: string, mode: string) => runTortureWriter(file, mode, SECONDS);
const tally = tallySeqs;

interface Case {
  name: string;
  mode: 'rename' | 'copytruncate' | 'delete';
  include: (logs: string) => string;
  disrupt?: 'restart' | 'kill9';
}

const cases: Case[] = [
  { name: '(a) rename rotation every second, rotated files outside the glob', mode: 'rename', include: (l) => `${l}/app.log` },
  { name: '(b) copytruncate every second', mode: 'copytruncate', include: (l) => `${l}/app.log*` },
  { name: '(c) file deleted and recreated every second', mode: 'delete', include: (l) => `${l}/app.log` },
  { name: '(d) graceful restarts during rename rotation', mode: 'rename', include: (l) => `${l}/app.log*`, disrupt: 'restart' },
  { name: '(e) kill -9 at random moments during rename rotation', mode: 'rename', include: (l) => `${l}/app.log*`, disrupt: 'kill9' },
];

describe('filelog torture (real writer, real agent)', () => {
  for (const c of cases) {
    it(c.name, { timeout: (SECONDS + 60) * 1000 }, async () => {
      const dir = tempDir('telemd-filelog-torture-');
      const logs = join(dir, 'logs');
      mkdirSync(logs);
      const cfg = config(dir, c.include(logs));
      let agent: Agent = await startAgent({ config: cfg, dir });
      const writing = runWriter(join(logs, 'app.log'), c.mode);
      let disruptions = 0;
      if (c.disrupt) {
        const end = Date.now() + SECONDS * 1000 - 500;
        while (Date.now() < end) {
          await sleep(400 + Math.random() * 900);
          if (c.disrupt === 'restart') expect(await agent.stop()).toBe(0);
          else await agent.kill9();
          disruptions++;
          await sleep(Math.random() * 300);
          agent = await startAgent({ config: cfg, dir });
        }
      }
      const n = await writing;
      expect(n).toBe(RATE * SECONDS);
      await until(() => tally(dir, n).missing === 0, 30_000);
      await sleep(500);
      expect(await agent.stop()).toBe(0);
      const t = tally(dir, n);
      console.log(`${c.name}: lines=${n} missing=${t.missing} duplicates=${t.dups} disruptions=${disruptions}`);
      expect(t.missing, `first missing: ${t.firstMissing.join(',')}`).toBe(0);
      if (c.disrupt !== 'kill9') expect(t.dups).toBe(0);
    });
  }
});
