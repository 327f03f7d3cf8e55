// End-to-end torture: a real writer process appends numbered lines at 20k lines/s while its
// file is rotated, truncated or deleted and telemd is restarted or killed; every number must
// reach the file exporter. TELEMD_SOAK=1 runs longer variants.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startAgent, tempDir, type Agent } from '../helpers/agent.js';

const SOAK = process.env.TELEMD_SOAK === '1';
const RATE = 20_000;
const SECONDS = SOAK ? 60 : 4;
const WRITER = join(import.meta.dirname, 'fixtures', 'writer.mjs');

function config(dir: string, include: string): string {
  return `
extensions:
  file_storage:
    directory: ${dir}/state
receivers:
  filelog:
    include: ["${include}"]
    start_at: beginning
    storage: file_storage
exporters:
  file:
    path: ${dir}/out/out.jsonl
    flush_interval: 100ms
    rotation:
      max_megabytes: 100000
service:
  extensions: [file_storage]
  pipelines:
    logs:
      receivers: [filelog]
      exporters: [file]
`;
}

function runWriter(file: string, mode: string, seconds = SECONDS): Promise<number> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [WRITER, file, mode, String(RATE), String(seconds), '1000'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    p.on('exit', (code) => (code === 0 ? resolve(Number(out.trim())) : reject(new Error(`writer exited ${code}`))));
  });
}

/** Occurrences of each sequence number in the exporter's output. */
function tally(dir: string, n: number): { missing: number; dups: number; firstMissing: number[] } {
  const seen = new Uint16Array(n);
  const outDir = join(dir, 'out');
  if (existsSync(outDir))
    for (const f of readdirSync(outDir)) {
      const text = readFileSync(join(outDir, f), 'utf8');
      for (const m of text.matchAll(/seq=(\d{9})/g)) {
        const i = Number(m[1]);
        if (i < n) seen[i]!++;
      }
    }
  let missing = 0;
  let dups = 0;
  const firstMissing: number[] = [];
  for (let i = 0; i < n; i++) {
    if (seen[i] === 0) {
      missing++;
      if (firstMissing.length < 5) firstMissing.push(i);
    } else dups += seen[i]! - 1;
  }
  return { missing, dups, firstMissing };
}

async function until(cond: () => boolean, ms: number): Promise<void> {
  const t = Date.now() + ms;
  while (!cond() && Date.now() < t) await new Promise((r) => setTimeout(r, 200));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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
