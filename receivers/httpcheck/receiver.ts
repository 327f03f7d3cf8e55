// The httpcheck receiver: every URL of every target is probed on its own schedule (see
// src/checks/schedule.ts), and each probe becomes the Collector's httpcheck.* points plus
// telemd's phase timings, certificate expiry and probe counters.
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import type { CreateSettings, Host, Receiver } from '../../src/component/component.js';
import type { MetricsConsumer } from '../../src/component/consumer.js';
import { CheckEmitter } from '../../src/checks/emit.js';
import { enabledMetrics } from '../../src/checks/metrics.js';
import { ProbeScheduler } from '../../src/checks/schedule.js';
import { publishBoard, TargetBoard } from '../../src/checks/status.js';
import { nowNanos } from '../../src/pdata/time.js';
import { redactUrlSecrets } from '../../src/security/redact.js';
import type { Counter } from '../../src/telemetry/self.js';
import type { Config, TargetConfig } from './config.js';
import { DEFS } from './metrics.js';
import { probeHttp, type HttpOutcome, type ProbeSpec, type ResolvedTls } from './probe.js';
import { compileValidation, statusMatcher, type StatusMatcher, type Validator } from './checks.js';

const CLASSES = ['1xx', '2xx', '3xx', '4xx', '5xx'] as const;
const DEFAULT_TIMEOUT_MS = 10_000;

interface HttpTarget {
  key: string;
  intervalMs: number;
  /** http.url as reported: credentials in the URL redacted. */
  shown: string;
  spec?: ProbeSpec;
  /** Set when the target cannot be probed at all (an unreadable ca_file): every probe fails with it. */
  setupError?: string;
  valid: StatusMatcher;
  validators: Validator[];
  probes: number;
  failures: number;
}

export class HttpCheckReceiver implements Receiver {
  private readonly log: Logger;
  private readonly emitter: CheckEmitter;
  private readonly scheduler: ProbeScheduler<HttpTarget>;
  private readonly board: TargetBoard;
  private readonly targets: HttpTarget[];
  private readonly outcomes: { ok: Counter; failed: Counter };
  private readonly startNs = nowNanos();
  private unpublish?: () => void;

  constructor(set: CreateSettings, cfg: Config, next: MetricsConsumer) {
    this.log = set.logger;
    this.targets = cfg.targets.flatMap((t) => expand(t, cfg.collection_interval));
    this.emitter = new CheckEmitter({ type: 'httpcheck', id: set.id.id, logger: set.logger, telemetry: set.telemetry, next, defs: DEFS, enabled: enabledMetrics(DEFS, cfg.metrics) });
    this.board = new TargetBoard(set.id.id, 'http');
    this.outcomes = {
      ok: set.telemetry.counter('telemd_receiver_probes_total', 'Probes finished, by result', { signal: 'metrics', result: 'success' }),
      failed: set.telemetry.counter('telemd_receiver_probes_total', 'Probes finished, by result', { signal: 'metrics', result: 'failure' }),
    };
    this.scheduler = new ProbeScheduler({
      name: 'httpcheck',
      logger: set.logger,
      telemetry: set.telemetry,
      targets: this.targets,
      maxConcurrency: cfg.max_concurrency,
      initialDelayMs: cfg.initial_delay,
      probe: (t, signal) => this.probe(t, signal),
    });
    this.resolveTls(cfg);
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

  /** TLS files are read once per (re)start; a target whose files cannot be read reports that on every probe. */
  private resolveTls(cfg: Config): void {
    let i = 0;
    for (const t of cfg.targets) {
      const urls = [...(t.endpoint ? [t.endpoint] : []), ...t.endpoints];
      let tls: ResolvedTls | undefined;
      let err: string | undefined;
      try {
        tls = {
          ca: readPem(t.tls.ca_file, 'ca_file'),
          cert: readPem(t.tls.cert_file, 'cert_file'),
          key: readPem(t.tls.key_file, 'key_file'),
          servername: t.tls.server_name_override,
          skipVerify: t.tls.insecure_skip_verify,
          minVersion: `TLSv${t.tls.min_version}` as ResolvedTls['minVersion'],
        };
      } catch (e) {
        err = (e as Error).message;
        this.log.error({ err }, 'httpcheck: a target cannot be probed');
      }
      for (const u of urls) {
        const target = this.targets[i++]!;
        if (err !== undefined || !tls) {
          target.setupError = err;
          continue;
        }
        const interval = t.collection_interval ?? cfg.collection_interval;
        target.spec = {
          url: new URL(u),
          method: t.method,
          headers: contentType(t),
          body: t.body,
          timeoutMs: t.timeout ?? Math.min(DEFAULT_TIMEOUT_MS, interval),
          tls,
          followRedirects: t.follow_redirects,
          maxRedirects: t.max_redirects,
          maxBody: t.max_body_size,
        };
      }
    }
  }

  private async probe(t: HttpTarget, signal: AbortSignal): Promise<void> {
    const startedMs = Date.now();
    const tNs = nowNanos();
    let out: HttpOutcome;
    if (!t.spec) {
      out = { status: 0, error: t.setupError ?? 'target not configured', phases: { dns: 0, connect: 0, tls: 0, request: 0, firstByte: 0, transfer: 0 }, totalMs: 0, bodySize: 0, body: Buffer.alloc(0), redirects: 0, finalUrl: t.shown };
    } else out = await probeHttp(t.spec, signal);
    if (signal.aborted) return;
    const results = out.error === undefined ? t.validators.map((v) => v(out.body, out.bodySize)) : [];
    const failedValidation = results.find((r) => !r.passed);
    const statusOk = out.error === undefined && t.valid(out.status);
    const ok = statusOk && !failedValidation;
    t.probes++;
    if (!ok) t.failures++;
    (ok ? this.outcomes.ok : this.outcomes.failed).add();

    const b = this.emitter.builder;
    const url = t.shown;
    const method = t.spec?.method ?? 'GET';
    for (const c of CLASSES) {
      const match = out.status !== 0 && Math.floor(out.status / 100) === Number(c[0]);
      // As contrib: http.status_code only on the point of the class that matched.
      b.add('httpcheck.status', match ? 1 : 0, match ? { 'http.url': url, 'http.status_code': BigInt(out.status), 'http.method': method, 'http.status_class': c } : { 'http.url': url, 'http.method': method, 'http.status_class': c }, tNs, this.startNs);
    }
    b.add('httpcheck.duration', out.totalMs, { 'http.url': url }, tNs, 0n);
    if (out.error !== undefined) b.add('httpcheck.error', 1, { 'http.url': url, 'error.message': out.error }, tNs, this.startNs);
    if (t.spec) {
      const p = out.phases;
      b.add('httpcheck.dns.lookup.duration', p.dns, { 'http.url': url }, tNs, 0n);
      b.add('httpcheck.client.connection.duration', p.connect, { 'http.url': url, 'network.transport': 'tcp' }, tNs, 0n);
      b.add('httpcheck.tls.handshake.duration', p.tls, { 'http.url': url }, tNs, 0n);
      b.add('httpcheck.client.request.duration', p.request, { 'http.url': url }, tNs, 0n);
      b.add('httpcheck.first_byte.duration', p.firstByte, { 'http.url': url }, tNs, 0n);
      b.add('httpcheck.response.duration', p.transfer, { 'http.url': url }, tNs, 0n);
    }
    if (out.status !== 0) b.add('httpcheck.response.size', out.bodySize, { 'http.url': url }, tNs, 0n);
    if (out.cert) {
      const remaining = Math.floor((out.cert.notAfter - Date.now()) / 1000);
      b.add('httpcheck.tls.cert_remaining', remaining, { 'http.url': url, 'http.tls.issuer': out.cert.issuer, 'http.tls.cn': out.cert.cn, 'http.tls.san': out.cert.san }, tNs, 0n);
    }
    const byType = new Map<string, [number, number]>();
    for (const r of results) {
      const e = byType.get(r.type) ?? [0, 0];
      e[r.passed ? 0 : 1]++;
      byType.set(r.type, e);
    }
    for (const [type, [passed, failed]] of byType) {
      if (passed) b.add('httpcheck.validation.passed', passed, { 'http.url': url, 'validation.type': type }, tNs, this.startNs);
      if (failed) b.add('httpcheck.validation.failed', failed, { 'http.url': url, 'validation.type': type }, tNs, this.startNs);
    }
    b.add('httpcheck.probes', t.probes, { 'http.url': url }, tNs, this.startNs);
    b.add('httpcheck.probes.failed', t.failures, { 'http.url': url }, tNs, this.startNs);
    this.emitter.added();

    const why = out.error ?? (!statusOk ? `status ${out.status} not in valid_status_codes` : failedValidation?.why);
    const detail: Record<string, string | number | boolean> = { status_code: out.status, method };
    if (out.cert) {
      detail.cert_not_after = new Date(out.cert.notAfter).toISOString();
      detail.cert_remaining_s = Math.floor((out.cert.notAfter - Date.now()) / 1000);
    }
    if (out.redirects) detail.redirects = out.redirects;
    for (const [k, v] of Object.entries(out.phases)) detail[`${k}_ms`] = Math.round(v * 1000) / 1000;
    this.board.record(url, { ok, t: startedMs, ms: out.totalMs, error: why, detail });
  }
}

function expand(t: TargetConfig, defaultInterval: number): HttpTarget[] {
  const urls = [...(t.endpoint ? [t.endpoint] : []), ...t.endpoints];
  return urls.map((u) => ({
    key: `${t.method} ${u}`,
    intervalMs: t.collection_interval ?? defaultInterval,
    shown: redactUrlSecrets(u),
    valid: statusMatcher(t.valid_status_codes),
    validators: t.validations.map(compileValidation),
    probes: 0,
    failures: 0,
  }));
}

function readPem(path: string | undefined, what: string): Buffer | undefined {
  if (!path) return undefined;
  try {
    return readFileSync(path);
  } catch (e) {
    throw new Error(`tls.${what}: cannot read ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
}

/** Headers with the Content-Type auto_content_type derives from the body (as contrib does). */
function contentType(t: TargetConfig): Record<string, string> {
  const h = { ...t.headers };
  if (!t.auto_content_type || t.body === undefined || Object.keys(h).some((k) => k.toLowerCase() === 'content-type')) return h;
  const b = t.body.trim();
  h['Content-Type'] = b.startsWith('{') || b.startsWith('[') ? 'application/json' : t.body.includes('=') ? 'application/x-www-form-urlencoded' : 'text/plain';
  return h;
}
