// The agent: config → graph → running pipelines, with reload, shutdown and self-telemetry.
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import type { AnyFactory } from '../component/component.js';
import type { ReloadResult, ServiceView } from '../component/service-view.js';
import { presentConfig, resolveConfig, type AgentConfig } from '../config/resolve.js';
import { formatConfigError, type ConfigError } from '../config/sources.js';
import { installGlobalMeter } from '../telemetry/otel-api.js';
import { registerProcessMetrics } from '../telemetry/process.js';
import { MetricRegistry } from '../telemetry/self.js';
import { startMetricsServer } from '../telemetry/server.js';
import { redactShown } from '../security/redact.js';
import { Graph } from './graph.js';
import { planOf } from './plan.js';
import { SystemdNotifier } from './notify.js';
import { StatusBoard } from './status.js';
import { bindTaps, TapRegistry } from './tap.js';

export interface AgentOptions {
  files: string[];
  sets?: string[];
  env?: NodeJS.ProcessEnv;
  factories: readonly AnyFactory[];
  logger: Logger;
}

/** At most one reload starts per interval; requests in between share the next one. */
export const RELOAD_INTERVAL_MS = 1000;

/** A message for a person (reload replies): no internal error class names or stacks. */
export function publicMessage(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.replace(/\b(?:[A-Z][A-Za-z]*)?(?:Error|Exception): /g, '').split('\n')[0]!;
}

export class ConfigInvalid extends Error {
  constructor(readonly errors: ConfigError[]) {
    super(errors.map(formatConfigError).join('\n'));
  }
}

export class Agent {
  readonly registry = new MetricRegistry();
  readonly status = new StatusBoard();
  private readonly graph: Graph;
  private config?: AgentConfig;
  private metricsServer?: Server;
  private metricsAddress = '';
  private notifier: SystemdNotifier;
  private reloading: Promise<ReloadResult> | undefined;
  /** The reload requests wait for, shared by all that arrive before it starts. */
  private nextReload?: { promise: Promise<ReloadResult>; resolve: (r: ReloadResult) => void };
  private lastReloadAt = 0;
  private stopped = false;

  constructor(private readonly opts: AgentOptions) {
    this.notifier = new SystemdNotifier(opts.logger, opts.env ?? process.env);
    bindTaps(this.registry, this.taps);
    this.graph = new Graph(opts.logger, this.registry, this.status, this.view);
    registerProcessMetrics(this.registry);
    installGlobalMeter(this.registry);
    this.reloadsOk = this.registry.counter('telemd_config_reloads_total', 'Config reloads', { result: 'applied' });
    this.reloadsRefused = this.registry.counter('telemd_config_reloads_total', 'Config reloads', { result: 'refused' });
    this.reloadsCoalesced = this.registry.counter('telemd_config_reload_requests_coalesced_total', 'Reload requests answered by a reload another request had already asked for');
  }

  private reloadsOk;
  private reloadsRefused;
  private reloadsCoalesced;
  private readonly taps = new TapRegistry(
    () => this.view.pipelines(),
    (kind, id) => this.view.graph().nodes.some((n) => n.kind === kind && n.id === id && n.state === 'running'),
  );

  /** What extensions see of the service (health_check, console): read-only, plus reload. */
  readonly view: ServiceView = {
    health: () => redactShown(this.health()),
    graph: () => redactShown(this.graph.view()),
    pipelines: () => (this.config?.pipelines ?? []).map((p) => ({ ...p, receivers: [...p.receivers], processors: [...p.processors], exporters: [...p.exporters] })),
    config: () => (this.config ? presentConfig(this.config) : {}),
    metrics: this.registry,
    taps: this.taps,
    requestReload: () => this.reload(),
  };

  /** service.shutdown_timeout of the running config (the CLI's hard stop deadline builds on it). */
  get shutdownTimeoutMs(): number {
    return this.config?.service.shutdown_timeout ?? 10_000;
  }

  get logger(): Logger {
    return this.opts.logger;
  }

  load(): AgentConfig {
    const r = resolveConfig({ files: this.opts.files, sets: this.opts.sets, env: this.opts.env, factories: this.opts.factories });
    if (!r.config) throw new ConfigInvalid(r.errors);
    for (const w of r.warnings) this.logger.warn({ where: formatConfigError({ ...w, message: '' }).replace(/: $/, '') }, `config: ${formatConfigError(w)}`);
    return r.config;
  }

  async start(): Promise<void> {
    const cfg = this.load();
    this.applyLogLevel(cfg);
    await this.ensureMetricsServer(cfg.metricsAddress);
    await this.run(cfg);
    this.notifier.ready();
    this.logger.info(
      { pipelines: cfg.pipelines.map((p) => p.id), self_metrics: cfg.metricsAddress || 'disabled' },
      'telemd started: pipelines running',
    );
  }

  private applyLogLevel(cfg: AgentConfig): void {
    const { level: lvl, disabled } = cfg.service.telemetry.logs;
    this.logger.level = disabled ? 'silent' : lvl === 'dpanic' || lvl === 'panic' || lvl === 'fatal' ? 'fatal' : lvl;
  }

  private async run(cfg: AgentConfig): Promise<void> {
    // A component that fails to build or start is named in the error; what was created is released.
    await this.graph.apply(planOf(cfg), cfg.service.shutdown_timeout);
    this.config = cfg;
    this.status.setRunning(true);
  }

  private async ensureMetricsServer(address: string): Promise<void> {
    if (address === this.metricsAddress && (this.metricsServer || !address)) return;
    if (this.metricsServer) await new Promise<void>((r) => this.metricsServer!.close(() => r()));
    this.metricsServer = undefined;
    this.metricsAddress = address;
    if (address) this.metricsServer = await startMetricsServer(address, this.registry, this.logger);
  }

  health(): { healthy: boolean; reasons: string[] } {
    return this.status.health();
  }

  /**
   * Validates the new config first; on any error the running pipelines stay. SIGHUP and
   * POST /reload alike: requests that arrive while a reload runs (or waits) share the next one,
   * which starts at least RELOAD_INTERVAL_MS after the previous start, so a storm of requests
   * costs one reload per interval.
   */
  reload(): Promise<ReloadResult> {
    if (this.stopped) return Promise.resolve({ applied: false, errors: ['the agent is stopping'] });
    if (this.nextReload) {
      this.reloadsCoalesced.add();
      return this.nextReload.promise;
    }
    let resolve!: (r: ReloadResult) => void;
    const promise = new Promise<ReloadResult>((r) => (resolve = r));
    this.nextReload = { promise, resolve };
    void this.runNextReload();
    return promise;
  }

  private async runNextReload(): Promise<void> {
    await this.reloading;
    const wait = this.lastReloadAt + RELOAD_INTERVAL_MS - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const waiting = this.nextReload!;
    this.nextReload = undefined;
    this.lastReloadAt = Date.now();
    this.reloading = this.doReload()
      .catch((err: unknown): ReloadResult => {
        this.logger.error({ err }, 'reload failed');
        return { applied: false, errors: [publicMessage(err)] };
      })
      .then((r) => {
        // Errors may quote config values: what is shown never carries URL credentials.
        waiting.resolve(redactShown(r));
        return r;
      })
      .finally(() => (this.reloading = undefined));
  }

  private async doReload(): Promise<ReloadResult> {
    if (this.stopped) return { applied: false, errors: ['the agent is stopping'] };
    let next: AgentConfig;
    try {
      next = this.load();
    } catch (err) {
      const errors = err instanceof ConfigInvalid ? err.errors.map(formatConfigError) : [publicMessage(err)];
      this.logger.error({ errors }, 'reload refused: the new config is invalid; the running pipelines stay');
      this.reloadsRefused.add();
      return { applied: false, errors };
    }
    this.notifier.reloading();
    const old = this.config!;
    try {
      // Only what changed is rebuilt; the rest keeps running (listeners stay open).
      const changes = await this.graph.apply(planOf(next), old.service.shutdown_timeout);
      this.config = next;
      this.applyLogLevel(next);
      await this.ensureMetricsServer(next.metricsAddress);
      this.logger.info(
        { pipelines: next.pipelines.map((p) => p.id), kept: changes.kept, rebuilt: changes.rebuilt, added: changes.added, removed: changes.removed },
        'config reloaded',
      );
      this.reloadsOk.add();
      this.notifier.ready();
      return { applied: true, errors: [], changes };
    } catch (err) {
      // The graph put the previous pipelines back.
      this.logger.error({ err }, 'reload failed to start the new pipelines; restoring the previous config');
      this.reloadsRefused.add();
      this.notifier.ready();
      return { applied: false, errors: [publicMessage(err)] };
    }
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.notifier.stopping();
    const budget = this.config?.service.shutdown_timeout ?? 10_000;
    this.logger.info({ timeout_ms: budget }, 'shutting down: stopping receivers, flushing processors, draining exporters');
    await this.reloading;
    await this.graph.shutdown(budget);
    this.taps.closeAll();
    this.status.setRunning(false);
    if (this.metricsServer) await new Promise<void>((r) => this.metricsServer!.close(() => r()));
    this.notifier.close();
    this.logger.info('telemd stopped');
  }
}
