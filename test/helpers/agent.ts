// Spawns the real `telemd` (dist/telemd.js) for integration tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseDocument } from 'yaml';
import { freePort } from './ports.js';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const BIN = join(ROOT, 'bin', 'telemd.js');

export interface LogLine {
  level: string;
  msg: string;
  [k: string]: unknown;
}

export interface StartOptions {
  /** YAML text of the config. */
  config: string;
  args?: string[];
  env?: Record<string, string>;
  cwd?: string;
  /** Wait for "pipelines running" (default true). */
  waitReady?: boolean;
  /** Directory for the config file (default: a new temp dir). */
  dir?: string;
  /** Node flags before the script (e.g. the `--v8-pool-size=1` that `npm start` uses). */
  nodeArgs?: string[];
  /** Another build's bin/telemd.js (benchmarks comparing builds in one run); default this tree's. */
  bin?: string;
  /** Run as this uid/gid (tests of unprivileged operation, when the tests run as root). */
  uid?: number;
  gid?: number;
}

export interface Agent {
  proc: ChildProcess;
  dir: string;
  configPath: string;
  logs: LogLine[];
  stderr: string;
  selfMetricsPort: number;
  healthPort: number;
  waitForLog(re: RegExp, timeoutMs?: number): Promise<LogLine>;
  /** SIGTERM; resolves with the exit code. */
  stop(timeoutMs?: number): Promise<number | null>;
  kill9(): Promise<void>;
  exited: Promise<number | null>;
}

/** Injects free ports for self-metrics and health_check unless the config sets them. */
async function withPorts(yaml: string): Promise<{ text: string; selfMetricsPort: number; healthPort: number }> {
  const doc = parseDocument(yaml);
  let selfMetricsPort = 0;
  let healthPort = 0;
  const addr = doc.getIn(['service', 'telemetry', 'metrics', 'address']);
  if (addr === undefined) {
    selfMetricsPort = await freePort();
    doc.setIn(['service', 'telemetry', 'metrics', 'address'], `127.0.0.1:${selfMetricsPort}`);
  } else selfMetricsPort = Number(String(addr).split(':').pop());
  if (doc.hasIn(['extensions', 'health_check'])) {
    const ep = doc.getIn(['extensions', 'health_check', 'endpoint']);
    if (ep === undefined) {
      healthPort = await freePort();
      if (doc.getIn(['extensions', 'health_check']) === null) doc.setIn(['extensions', 'health_check'], doc.createNode({}));
      doc.setIn(['extensions', 'health_check', 'endpoint'], `127.0.0.1:${healthPort}`);
    } else healthPort = Number(String(ep).split(':').pop());
  }
  return { text: doc.toString(), selfMetricsPort, healthPort };
}

export async function startAgent(opts: StartOptions): Promise<Agent> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'telemd-test-'));
  const { text, selfMetricsPort, healthPort } = await withPorts(opts.config);
  const configPath = join(dir, 'config.yaml');
  writeFileSync(configPath, text);
  const proc = spawn(process.execPath, [...(opts.nodeArgs ?? []), opts.bin ?? BIN, 'run', '--config', configPath, ...(opts.args ?? [])], {
    cwd: opts.cwd ?? dir,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    uid: opts.uid,
    gid: opts.gid,
  });
  const logs: LogLine[] = [];
  const waiters: { re: RegExp; resolve: (l: LogLine) => void }[] = [];
  let buf = '';
  proc.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    buf += chunk;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      let parsed: LogLine;
      try {
        parsed = JSON.parse(line) as LogLine;
      } catch {
        parsed = { level: 'raw', msg: line };
      }
      logs.push(parsed);
      for (const w of [...waiters]) {
        if (w.re.test(JSON.stringify(parsed))) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(parsed);
        }
      }
    }
  });
  let stderr = '';
  proc.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));

  const agent: Agent = {
    proc,
    dir,
    configPath,
    logs,
    get stderr() {
      return stderr;
    },
    selfMetricsPort,
    healthPort,
    waitForLog(re, timeoutMs = 20_000) {
      const hit = logs.find((l) => re.test(JSON.stringify(l)));
      if (hit) return Promise.resolve(hit);
      return new Promise<LogLine>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`timed out waiting for log ${re}; stderr: ${stderr.slice(-2000)}; last logs: ${JSON.stringify(logs.slice(-5))}`)), timeoutMs);
        waiters.push({
          re,
          resolve: (l) => {
            clearTimeout(t);
            resolve(l);
          },
        });
        void exited.then(() => {
          clearTimeout(t);
          reject(new Error(`telemd exited while waiting for ${re}; stderr: ${stderr.slice(-2000)}; last logs: ${JSON.stringify(logs.slice(-5))}`));
        });
      });
    },
    async stop(timeoutMs = 20_000) {
      if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
      const code = await exited;
      clearTimeout(t);
      return code;
    },
    async kill9() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGKILL');
      await exited;
    },
    exited,
  };
  if (opts.waitReady !== false) await agent.waitForLog(/pipelines running/);
  return agent;
}

/** Runs `telemd <args>` to completion. */
export function runCli(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd ?? ROOT, env: { ...process.env, ...opts.env } });
    let stdout = '';
    let stderr = '';
    p.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    p.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    p.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

export function tempDir(prefix = 'telemd-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
