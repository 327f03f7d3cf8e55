// Debian's real VictoriaMetrics on a free loopback port with its own data directory.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../helpers/ports.js';

export const VM_BIN = '/usr/bin/victoria-metrics';
export const haveVictoria = existsSync(VM_BIN);

export interface PromResult {
  metric: Record<string, string>;
  value: [number, string];
}

export interface RealVictoria {
  url: string;
  writeUrl: string;
  query(q: string): Promise<PromResult[]>;
  stop(): Promise<void>;
}

export async function startVictoria(): Promise<RealVictoria> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'telemd-vm-'));
  let out = '';
  const proc: ChildProcess = spawn(
    VM_BIN,
    [
      `-httpListenAddr=127.0.0.1:${port}`, `-storageDataPath=${join(dir, 'data')}`, '-retentionPeriod=1d',
      // Queries see samples at once (the default hides the last 30 s) and nothing is cached.
      '-search.latencyOffset=0s', '-search.disableCache', '-loggerLevel=ERROR',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  proc.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const url = `http://127.0.0.1:${port}`;
  const end = Date.now() + 30_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`victoria-metrics exited (${proc.exitCode}):\n${out}`);
    if (Date.now() > end) throw new Error(`victoria-metrics did not start:\n${out}`);
    try {
      if ((await fetch(`${url}/health`)).ok) break;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    writeUrl: `${url}/api/v1/write`,
    async query(q) {
      const r = await fetch(`${url}/api/v1/query?${new URLSearchParams({ query: q })}`);
      const j = (await r.json()) as { status: string; data: { result: PromResult[] }; error?: string };
      if (j.status !== 'success') throw new Error(`victoria-metrics query ${q} failed: ${j.error}`);
      return j.data.result;
    },
    async stop() {
      if (proc.exitCode === null) {
        const exited = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGTERM');
        const t = setTimeout(() => proc.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(t);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
