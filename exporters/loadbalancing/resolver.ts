// Where the backends are: a static list, or every address a DNS name resolves to, again every
// `interval` (a headless Kubernetes service, a round-robin record). A failed resolution keeps
// the last good set: a DNS hiccup does not empty the ring.
import { promises as dns } from 'node:dns';
import type { Logger } from 'pino';
import type { Counter, SelfTelemetry } from '../../src/telemetry/self.js';

export type OnChange = (endpoints: string[]) => Promise<void>;

export interface Resolver {
  start(onChange: OnChange): Promise<void>;
  stop(): void;
}

/** host, host:port, [v6] or [v6]:port -> host:port with the default port. */
export function withPort(h: string, port: number): string {
  const t = h.trim().replace(/^[a-z]+:\/\//i, '');
  if (/^\[[^\]]+\]:\d+$/.test(t) || /^[^:\[\]]+:\d+$/.test(t)) return t;
  if (/^\[[^\]]+\]$/.test(t)) return `${t}:${port}`;
  if (t.includes(':')) return `[${t}]:${port}`;
  return `${t}:${port}`;
}

export class StaticResolver implements Resolver {
  constructor(private readonly hostnames: string[]) {}
  async start(onChange: OnChange): Promise<void> {
    await onChange([...new Set(this.hostnames.map((h) => withPort(h, 4317)))].sort());
  }
  stop(): void {}
}

export type Lookup = (hostname: string) => Promise<{ address: string; family: number }[]>;

export class DnsResolver implements Resolver {
  private timer?: NodeJS.Timeout;
  private last = '';
  private lastError = '';
  private running?: Promise<void>;
  private readonly ok: Counter;
  private readonly failed: Counter;

  constructor(
    private readonly cfg: { hostname: string; port: number; interval: number; timeout: number },
    private readonly logger: Logger,
    telemetry: SelfTelemetry,
    private readonly lookup: Lookup = (h) => dns.lookup(h, { all: true }),
  ) {
    const help = 'DNS resolutions of the loadbalancing resolver';
    this.ok = telemetry.counter('telemd_loadbalancer_resolutions_total', help, { resolver: 'dns', success: 'true' });
    this.failed = telemetry.counter('telemd_loadbalancer_resolutions_total', help, { resolver: 'dns', success: 'false' });
  }

  async start(onChange: OnChange): Promise<void> {
    await this.resolve(onChange);
    this.timer = setInterval(() => {
      this.running ??= this.resolve(onChange).finally(() => (this.running = undefined));
    }, this.cfg.interval);
    this.timer.unref();
  }

  async resolve(onChange: OnChange): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const addrs = await Promise.race([
        this.lookup(this.cfg.hostname),
        new Promise<never>((_, rej) => (timer = setTimeout(() => rej(new Error(`no answer within ${this.cfg.timeout} ms`)), this.cfg.timeout))),
      ]);
      this.ok.add();
      this.lastError = '';
      const eps = [...new Set(addrs.map((a) => (a.family === 6 ? `[${a.address}]:${this.cfg.port}` : `${a.address}:${this.cfg.port}`)))].sort();
      const key = eps.join(',');
      if (key === this.last) return;
      this.last = key;
      this.logger.info({ hostname: this.cfg.hostname, endpoints: eps }, 'loadbalancing: backends resolved');
      await onChange(eps);
    } catch (err) {
      this.failed.add();
      const msg = (err as Error).message;
      if (msg !== this.lastError) this.logger.warn({ hostname: this.cfg.hostname, err: msg }, 'loadbalancing: DNS resolution failed; keeping the last backends');
      this.lastError = msg;
    } finally {
      clearTimeout(timer);
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
