// Starts Debian's real `prometheus` and `prometheus-node-exporter` on free loopback ports with
// temporary data directories, for tests to talk to.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../helpers/ports.js';

export function haveBinary(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
}
export const havePrometheus = haveBinary('prometheus');
export const haveNodeExporter = haveBinary('prometheus-node-exporter');

async function waitFor(url: string, proc: ChildProcess, logs: () => string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (proc.exitCode !== null) throw new Error(`process exited (${proc.exitCode}) before ready:\n${logs()}`);
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${url}:\n${logs()}`);
}

export interface RealPrometheus {
  port: number;
  url: string;
  writeUrl: string;
  dataDir: string;
  logs(): string;
  query(q: string, time?: number): Promise<PromVector[]>;
  queryRange(q: string, startS: number, endS: number, stepS: number): Promise<PromMatrix[]>;
  stop(): Promise<void>;
  /** Stop the server but keep its data (an outage); `restart` brings it back. */
  pause(): Promise<void>;
  /** Start again on the same port and data dir. */
  restart(): Promise<void>;
}

export interface PromVector {
  metric: Record<string, string>;
  value: [number, string];
}
export interface PromMatrix {
  metric: Record<string, string>;
  values: [number, string][];
}

export async function startPrometheus(opts: { scrapeConfigs?: string; scrapeInterval?: string } = {}): Promise<RealPrometheus> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'telemd-prom-'));
  const cfgPath = join(dir, 'prometheus.yml');
  writeFileSync(
    cfgPath,
    `global:\n  scrape_interval: ${opts.scrapeInterval ?? '1s'}\n  evaluation_interval: 10s\n` +
      (opts.scrapeConfigs ? `scrape_configs:\n${opts.scrapeConfigs}\n` : ''),
  );
  let out = '';
  let proc: ChildProcess;
  const launch = async () => {
    proc = spawn(
      'prometheus',
      [
        `--config.file=${cfgPath}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`,
        '--web.enable-remote-write-receiver', '--log.level=warn', '--storage.tsdb.retention.time=1d',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    proc.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    proc.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    await waitFor(`http://127.0.0.1:${port}/-/ready`, proc, () => out);
  };
  const stopProc = async () => {
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGTERM');
    const t = setTimeout(() => proc.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(t);
  };
  await launch();
  const base = `http://127.0.0.1:${port}`;
  const api = async <T>(path: string, params: Record<string, string>): Promise<T> => {
    const r = await fetch(`${base}${path}?${new URLSearchParams(params)}`);
    const j = (await r.json()) as { status: string; data: { result: T }; error?: string };
    if (j.status !== 'success') throw new Error(`prometheus query failed: ${j.error}`);
    return j.data.result;
  };
  return {
    port,
    url: base,
    writeUrl: `${base}/api/v1/write`,
    dataDir: dir,
    logs: () => out,
    query: (q, time) => api<PromVector[]>('/api/v1/query', { query: q, ...(time ? { time: String(time) } : {}) }),
    queryRange: (q, start, end, step) =>
      api<PromMatrix[]>('/api/v1/query_range', { query: q, start: String(start), end: String(end), step: String(step) }),
    stop: async () => {
      await stopProc();
      rmSync(dir, { recursive: true, force: true });
    },
    pause: stopProc,
    restart: async () => {
      await stopProc();
      await launch();
    },
  };
}

export interface RealNodeExporter {
  port: number;
  url: string;
  stop(): Promise<void>;
}

export async function startNodeExporter(): Promise<RealNodeExporter> {
  const port = await freePort();
  let out = '';
  // A few cheap collectors keep scrapes fast and the series set stable.
  const proc = spawn(
    'prometheus-node-exporter',
    [
      `--web.listen-address=127.0.0.1:${port}`, '--collector.disable-defaults',
      '--collector.loadavg', '--collector.meminfo', '--collector.time', '--collector.uname', '--collector.stat',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  proc.stdout.on('data', (c: Buffer) => (out += c.toString()));
  proc.stderr.on('data', (c: Buffer) => (out += c.toString()));
  await waitFor(`http://127.0.0.1:${port}/metrics`, proc, () => out);
  return {
    port,
    url: `http://127.0.0.1:${port}/metrics`,
    stop: async () => {
      if (proc.exitCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
    },
  };
}
