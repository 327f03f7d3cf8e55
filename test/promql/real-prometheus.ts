// The real Prometheus 2.42 (Debian) serving a fixed data set: the series are written as
// OpenMetrics, turned into TSDB blocks by `promtool tsdb create-blocks-from openmetrics`, and
// Prometheus is started on a free loopback port over those blocks, without scraping anything.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../helpers/ports.js';

export const havePromtool = spawnSync('sh', ['-c', 'command -v prometheus && command -v promtool']).status === 0;

export interface PrometheusOverBlocks {
  readonly url: string;
  readonly pid: number;
  /** GET an API path; the raw body and its parsed JSON. */
  get(path: string, params: Record<string, string>): Promise<{ body: string; json: ApiBody }>;
  stop(): Promise<void>;
}

export interface ApiBody {
  status: 'success' | 'error';
  data?: { resultType: string; result: unknown };
  errorType?: string;
  error?: string;
}

export async function prometheusOver(openMetrics: string, lookbackDelta?: string): Promise<PrometheusOverBlocks> {
  const dir = mkdtempSync(join(tmpdir(), 'telemd-promql-diff-'));
  writeFileSync(join(dir, 'data.om'), openMetrics);
  const made = spawnSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', join(dir, 'data.om'), join(dir, 'data')], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`promtool failed: ${made.stderr}${made.stdout}`);
  writeFileSync(join(dir, 'prometheus.yml'), 'global:\n  evaluation_interval: 1m\n');
  const port = await freePort();
  let logs = '';
  const proc: ChildProcess = spawn(
    'prometheus',
    [
      `--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`,
      '--storage.tsdb.retention.time=100y', '--log.level=warn', ...(lookbackDelta ? [`--query.lookback-delta=${lookbackDelta}`] : []),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  proc.stdout!.on('data', (c: Buffer) => (logs += c.toString()));
  proc.stderr!.on('data', (c: Buffer) => (logs += c.toString()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (proc.exitCode === null) {
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (proc.exitCode !== null) {
      await stop();
      throw new Error(`prometheus exited before ready:\n${logs}`);
    }
    try {
      if ((await fetch(`${url}/-/ready`)).ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus not ready:\n${logs}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    pid: proc.pid!,
    get: async (path, params) => {
      const r = await fetch(`${url}${path}?${new URLSearchParams(params)}`);
      const body = await r.text();
      return { body, json: JSON.parse(body) as ApiBody };
    },
    stop,
  };
}
