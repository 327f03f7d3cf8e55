// Shared by the filelog torture tests and the attack suite: a real writer process that appends
// numbered lines and rotates its file, the agent config that tails it into a file exporter, and
// a tally of every number in the output.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const TORTURE_RATE = 20_000;
const WRITER = join(import.meta.dirname, 'fixtures', 'writer.mjs');

/** Checkpoints in `dir`/state; output in `out` (default `dir`/out). */
export function tortureConfig(dir: string, include: string, out = `${dir}/out`): string {
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
    path: ${out}/out.jsonl
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

/** Runs the writer to the end; resolves with the number of lines it wrote. */
export function runTortureWriter(file: string, mode: string, seconds: number, rate = TORTURE_RATE, rotateEveryMs = 1000): Promise<number> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [WRITER, file, mode, String(rate), String(seconds), String(rotateEveryMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    p.on('exit', (code) => (code === 0 ? resolve(Number(out.trim())) : reject(new Error(`writer exited ${code}`))));
  });
}

/** Occurrences of each sequence number in the exporter's output. */
export function tallySeqs(dir: string, n: number, outDir = join(dir, 'out')): { missing: number; dups: number; firstMissing: number[] } {
  const seen = new Uint16Array(n);
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

/** Polls `cond` every 200 ms until it holds or `ms` passed (no error: the caller asserts). */
export async function untilTrue(cond: () => boolean, ms: number): Promise<void> {
  const t = Date.now() + ms;
  while (!cond() && Date.now() < t) await new Promise((r) => setTimeout(r, 200));
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
