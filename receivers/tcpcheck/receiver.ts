// The tcpcheck receiver: every endpoint probed on its own schedule (src/checks/schedule.ts);
// each probe becomes contrib's tcpcheck.status/duration/error points plus telemd's counters.
import { readFileSync } from 'node:fs';
import type { CreateSettings, Host, Receiver } from '../../src/component/component.js';
import type { MetricsConsumer } from '../../src/component/consumer.js';
import { CheckEmitter } from '../../src/checks/emit.js';
import { enabledMetrics } from '../../src/checks/metrics.js';
import { ProbeScheduler } from '../../src/checks/schedule.js';
import { publishBoard, TargetBoard } from '../../src/checks/status.js';
import { nowNanos } from '../../src/pdata/time.js';
import { compileRegex } from '../../src/promql/regex.js';
import type { Counter } from '../../src/telemetry/self.js';
import { splitEndpoint, type Config, type TargetConfig } from './config.js';
import { DEFS } from './metrics.js';
import { probeTcp, type TcpSpec } from './probe.js';

interface TcpTarget {
  key: string;
  intervalMs: number;
  spec?: TcpSpec;
  setupError?: string;
  probes: number;
  failures: number;
  errors: Map<string, number>;
}

export class TcpCheckReceiver implements Receiver {
  private readonly emitter: CheckEmitter;
  private readonly scheduler: ProbeScheduler<TcpTarget>;
  private readonly board: TargetBoard;
  private readonly outcomes: { ok: Counter; failed: Counter };
  private readonly startNs = nowNanos();
  private unpublish?: () => void;

  constructor(set: CreateSettings, cfg: Config, next: MetricsConsumer) {
    const targets = cfg.targets.map((t) => this.target(t, cfg, set));
    this.emitter = new CheckEmitter({ type: 'tcpcheck', id: set.id.id, logger: set.logger, telemetry: set.telemetry, next, defs: DEFS, enabled: enabledMetrics(DEFS, cfg.metrics) });
    this.board = new TargetBoard(set.id.id, 'tcp');
    this.outcomes = {
      ok: set.telemetry.counter('telemd_receiver_probes_total', 'Probes finished, by result', { signal: 'metrics', result: 'success' }),
      failed: set.telemetry.counter('telemd_receiver_probes_total', 'Probes finished, by result', { signal: 'metrics', result: 'failure' }),
    };
    this.scheduler = new ProbeScheduler({
      name: 'tcpcheck', logger: set.logger, telemetry: set.telemetry, targets,
      maxConcurrency: cfg.max_concurrency, initialDelayMs: cfg.initial_delay,
      probe: (t, signal) => this.probe(t, signal),
    });
  }

  private target(t: TargetConfig, cfg: Config, set: CreateSettings): TcpTarget {
    const interval = t.collection_interval ?? cfg.collection_interval;
    const base: TcpTarget = { key: t.endpoint, intervalMs: interval, probes: 0, failures: 0, errors: new Map() };
    const hp = splitEndpoint(t.endpoint);
    if (!hp) return { ...base, setupError: `invalid endpoint ${t.endpoint}` };
    const timeoutMs = t.timeout ?? Math.min(10_000, interval);
    let tls: TcpSpec['tls'];
    try {
      if (t.tls)
        tls = {
          ca: t.tls.ca_file ? readFileSync(t.tls.ca_file) : undefined,
          cert: t.tls.cert_file ? readFileSync(t.tls.cert_file) : undefined,
          key: t.tls.key_file ? readFileSync(t.tls.key_file) : undefined,
          servername: t.tls.server_name_override,
          skipVerify: t.tls.insecure_skip_verify,
          minVersion: `TLSv${t.tls.min_version}` as NonNullable<TcpSpec['tls']>['minVersion'],
        };
    } catch (e) {
      const err = `tls: ${(e as Error).message}`;
      set.logger.error({ endpoint: t.endpoint, err }, 'tcpcheck: a target cannot be probed');
      return { ...base, setupError: err };
    }
    const re = t.expect !== undefined ? compileRegex(`(?s:.*)(?:${t.expect})(?s:.*)`) : undefined;
    const expect = re && t.expect !== undefined ? { test: (s: string) => re.test(s), source: t.expect } : undefined;
    return {
      ...base,
      spec: { host: hp.host, port: hp.port, connectTimeoutMs: Math.min(t.dialer.timeout ?? timeoutMs, timeoutMs), timeoutMs, tls, send: t.send, expect, maxRead: t.max_read },
    };
  }

  async start(_host: Host): Promise<void> {
    this.unpublish = publishBoard(this.board);
    this.scheduler.start();
  }

  async shutdown(): Promise<void> {
    await this.scheduler.shutdown();
    await this.emitter.shutdown();
    this.unpublish?.();
  }

  private async probe(t: TcpTarget, signal: AbortSignal): Promise<void> {
    const startedMs = Date.now();
    const tNs = nowNanos();
    const out = t.spec
      ? await probeTcp(t.spec, signal)
      : { connected: false, ok: false, code: 'invalid_endpoint' as const, error: t.setupError, connectMs: 0, totalMs: 0, cert: undefined };
    if (signal.aborted) return;
    t.probes++;
    if (!out.ok) t.failures++;
    (out.ok ? this.outcomes.ok : this.outcomes.failed).add();
    if (out.code) t.errors.set(out.code, (t.errors.get(out.code) ?? 0) + 1);
    const b = this.emitter.builder;
    const ep = { 'tcpcheck.endpoint': t.key };
    b.add('tcpcheck.status', out.connected ? 1 : 0, ep, tNs, 0n);
    b.add('tcpcheck.duration', out.connectMs, ep, tNs, 0n);
    for (const [code, n] of t.errors) b.add('tcpcheck.error', n, { ...ep, 'error.code': code }, tNs, this.startNs);
    if (out.cert) b.add('tcpcheck.tls.cert_remaining', Math.floor((out.cert.notAfter - Date.now()) / 1000), { ...ep, 'tcpcheck.tls.cn': out.cert.cn, 'tcpcheck.tls.issuer': out.cert.issuer }, tNs, 0n);
    b.add('tcpcheck.probes', t.probes, ep, tNs, this.startNs);
    b.add('tcpcheck.probes.failed', t.failures, ep, tNs, this.startNs);
    this.emitter.added();
    const detail: Record<string, string | number | boolean> = { connected: out.connected, connect_ms: Math.round(out.connectMs * 1000) / 1000 };
    if (out.code) detail.error_code = out.code;
    if (out.cert) detail.cert_not_after = new Date(out.cert.notAfter).toISOString();
    this.board.record(t.key, { ok: out.ok, t: startedMs, ms: out.totalMs, error: out.error, detail });
  }
}
