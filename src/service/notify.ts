// sd_notify(3): READY=1 / RELOADING=1 / STOPPING=1 / WATCHDOG=1 to $NOTIFY_SOCKET (Type=notify).
import { createRequire } from 'node:module';
import type { Logger } from 'pino';

type Sock = import('unix-dgram').UnixDgramSocket;

export class SystemdNotifier {
  private sock?: Sock;
  private path?: string;
  private watchdog?: NodeJS.Timeout;

  constructor(
    private readonly logger: Logger,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    const p = env.NOTIFY_SOCKET;
    if (!p) return;
    // Abstract-namespace sockets are written with a leading '@'.
    this.path = p.startsWith('@') ? `\0${p.slice(1)}` : p;
    try {
      const require = createRequire(import.meta.url);
      const ud = require('unix-dgram') as typeof import('unix-dgram');
      this.sock = ud.createSocket('unix_dgram');
      this.sock.on('error', (err: Error) => this.logger.warn({ err }, 'sd_notify failed'));
    } catch (err) {
      this.logger.warn({ err }, 'NOTIFY_SOCKET is set but unix datagram sockets are unavailable');
    }
    const usec = Number(env.WATCHDOG_USEC);
    const pid = env.WATCHDOG_PID ? Number(env.WATCHDOG_PID) : process.pid;
    if (usec > 0 && pid === process.pid) {
      // Ping at half the interval, as sd_watchdog_enabled(3) recommends.
      this.watchdog = setInterval(() => this.send('WATCHDOG=1'), Math.max(1, usec / 2000));
      this.watchdog.unref();
    }
  }

  send(state: string): void {
    if (!this.sock || !this.path) return;
    const buf = Buffer.from(state);
    this.sock.send(buf, 0, buf.length, this.path, (err?: Error) => {
      if (err) this.logger.warn({ err, state }, 'sd_notify failed');
    });
  }

  ready(): void {
    this.send(`READY=1\nSTATUS=pipelines running\nMAINPID=${process.pid}`);
  }

  reloading(): void {
    // hrtime is CLOCK_MONOTONIC, which is what systemd expects here.
    const usec = process.hrtime.bigint() / 1000n;
    this.send(`RELOADING=1\nMONOTONIC_USEC=${usec}`);
  }

  stopping(): void {
    this.send('STOPPING=1');
  }

  close(): void {
    if (this.watchdog) clearInterval(this.watchdog);
    this.sock?.close();
    this.sock = undefined;
  }
}
