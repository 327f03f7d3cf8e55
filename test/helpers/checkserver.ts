// The test HTTP(S) server of check-server.mjs as a real child process, ended after each test.
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { freePort } from './ports.js';

export interface CheckServer {
  port: number;
  url: string;
  proc: ChildProcess;
  mode(m: 'ok' | 'error' | 'hang' | 'slow'): Promise<void>;
  listen(on: boolean): Promise<void>;
  hits(): Promise<number>;
  stop(): Promise<void>;
}

function reply(p: ChildProcess): Promise<{ hits: number }> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('check server did not answer')), 10_000);
    p.once('message', (m) => {
      clearTimeout(t);
      resolve(m as { hits: number });
    });
  });
}

export async function startCheckServer(opts: { tls?: { cert: string; key: string }; port?: number } = {}): Promise<CheckServer> {
  const port = opts.port ?? (await freePort());
  const args = [String(port), ...(opts.tls ? [opts.tls.cert, opts.tls.key] : [])];
  const proc = fork(join(import.meta.dirname, 'check-server.mjs'), args, { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  await reply(proc);
  const send = async (m: object): Promise<{ hits: number }> => {
    const r = reply(proc);
    proc.send(m);
    return r;
  };
  return {
    port,
    url: `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}/`,
    proc,
    mode: async (m) => void (await send({ mode: m })),
    listen: async (on) => void (await send({ listen: on })),
    hits: async () => (await send({ hits: true })).hits,
    stop: async () => {
      if (proc.exitCode !== null || proc.signalCode) return;
      const gone = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGKILL');
      await gone;
    },
  };
}

/** startCheckServer whose servers are killed after each test. */
export function checkServersKilledAfterEach(): typeof startCheckServer {
  const running: CheckServer[] = [];
  afterEach(async () => {
    for (const s of running.splice(0)) await s.stop();
  });
  return async (opts) => {
    const s = await startCheckServer(opts);
    running.push(s);
    return s;
  };
}
