// The real Debian prometheus-alertmanager for tests: its own port, storage directory and config
// (clustering off), a webhook receiver the test reads AM's notifications from, and a clean stop.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { tempDir } from './agent.js';
import { freePort } from './ports.js';

export const ALERTMANAGER = '/usr/bin/prometheus-alertmanager';
export const haveAlertmanager = existsSync(ALERTMANAGER);

export interface Notification {
  receivedAt: number;
  path: string;
  body: {
    status: 'firing' | 'resolved';
    alerts: { status: 'firing' | 'resolved'; labels: Record<string, string>; startsAt: string; endsAt: string; fingerprint: string }[];
    [k: string]: unknown;
  };
}

/** An HTTP server that records every webhook POST. */
export async function webhookSink(): Promise<{ url: string; port: number; notifications: Notification[]; close(): Promise<void> }> {
  const notifications: Notification[] = [];
  const srv: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (c: string) => (body += c));
    req.on('end', () => {
      try {
        notifications.push({ receivedAt: Date.now(), path: req.url ?? '/', body: JSON.parse(body) as Notification['body'] });
      } catch {
        // not JSON: the test sees nothing recorded
      }
      res.writeHead(200).end('ok');
    });
  });
  const port = await new Promise<number>((resolve) => srv.listen(0, '127.0.0.1', () => resolve((srv.address() as { port: number }).port)));
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    notifications,
    close: () => new Promise<void>((r) => srv.close(() => r())),
  };
}

export interface Alertmanager {
  url: string;
  port: number;
  dir: string;
  /** GET /api/v2/alerts (active, silenced, inhibited, unprocessed). */
  alerts(): Promise<{ fingerprint: string; labels: Record<string, string>; startsAt: string; endsAt: string; status: { state: string; silencedBy: string[] } }[]>;
  silences(): Promise<{ id: string; status: { state: string }; matchers: { name: string; value: string; isRegex: boolean; isEqual?: boolean }[]; createdBy: string; comment: string; endsAt: string }[]>;
  /** alertmanager_alerts_received_total{status} of this process (v2). */
  received(): Promise<{ firing: number; resolved: number }>;
  stop(): Promise<void>;
  /** Starts it again on the same port and storage. */
  restart(): Promise<void>;
}

async function getJson<T>(url: string): Promise<T> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return (await r.json()) as T;
}

/** Starts an Alertmanager notifying `webhookUrl` (group_wait 1s, repeat `repeat`); killed after the test. */
export function alertmanagers(): (opts: { webhookUrl: string; repeat?: string }) => Promise<Alertmanager> {
  const running: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const stop of running.splice(0)) await stop();
  });
  return async ({ webhookUrl, repeat = '1h' }) => {
    const dir = tempDir('telemd-am-');
    const port = await freePort();
    writeFileSync(
      join(dir, 'am.yml'),
      `route:
  receiver: hook
  group_by: [alertname]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: ${repeat}
receivers:
  - name: hook
    webhook_configs:
      - url: ${webhookUrl}/am
        send_resolved: true
`,
    );
    let proc: ChildProcess | undefined;
    const url = `http://127.0.0.1:${port}`;
    const start = async () => {
      proc = spawn(ALERTMANAGER, [`--config.file=${join(dir, 'am.yml')}`, `--storage.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address='], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let err = '';
      proc.stderr!.setEncoding('utf8').on('data', (c: string) => (err = (err + c).slice(-4000)));
      const end = Date.now() + 20_000;
      for (;;) {
        try {
          const r = await fetch(`${url}/-/ready`);
          if (r.ok) return;
        } catch {
          // not listening yet
        }
        if (proc.exitCode !== null || Date.now() > end) throw new Error(`alertmanager did not start: ${err}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const stop = async () => {
      const p = proc;
      proc = undefined;
      if (!p || p.exitCode !== null || p.signalCode !== null) return;
      const exited = new Promise((r) => p.on('exit', r));
      p.kill('SIGTERM');
      const t = setTimeout(() => p.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    };
    running.push(stop);
    await start();
    return {
      url,
      port,
      dir,
      alerts: () => getJson(`${url}/api/v2/alerts`),
      silences: () => getJson(`${url}/api/v2/silences`),
      received: async () => {
        const text = await (await fetch(`${url}/metrics`)).text();
        const n = (st: string) => Number(new RegExp(`alertmanager_alerts_received_total\\{status="${st}",version="v2"\\} (\\S+)`).exec(text)?.[1] ?? 0);
        return { firing: n('firing'), resolved: n('resolved') };
      },
      stop,
      restart: start,
    };
  };
}
