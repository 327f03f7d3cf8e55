// The systemd receiver: every collection_interval, the units matching `units` are read from the
// manager over D-Bus (one ListUnitsByPatterns, LoadUnit for names given literally, a few
// property reads per unit) and become contrib's systemd.* points, one resource per unit. Where
// no systemd answers on the bus, it says so once, reports nothing (counted) and tries again
// every interval; a bus that goes away mid-run is the same.
import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { CreateSettings, Host, Receiver } from '../../src/component/component.js';
import type { MetricsConsumer } from '../../src/component/consumer.js';
import { CheckEmitter } from '../../src/checks/emit.js';
import { enabledMetrics, type PointsBuilder } from '../../src/checks/metrics.js';
import { ProbeScheduler } from '../../src/checks/schedule.js';
import { publishBoard, TargetBoard } from '../../src/checks/status.js';
import { nowNanos } from '../../src/pdata/time.js';
import type { Counter } from '../../src/telemetry/self.js';
import type { Config } from './config.js';
import { DbusSystemd, defaultBusAddress, type SystemdApi, type UnitTuple } from './dbus.js';
import { ACTIVE_STATES, DEFS, LOAD_STATES } from './metrics.js';

const UNIT = 'org.freedesktop.systemd1.Unit';
const SERVICE = 'org.freedesktop.systemd1.Service';
const GLOB = /[*?[]/;

export type Connect = () => Promise<SystemdApi>;

export class SystemdReceiver implements Receiver {
  private readonly log: Logger;
  private readonly emitter: CheckEmitter;
  private readonly scheduler: ProbeScheduler<{ key: string; intervalMs: number }>;
  private readonly board: TargetBoard;
  private readonly address: string;
  private readonly connect: Connect;
  private readonly unavailable: Counter;
  private readonly callErrors: Counter;
  private readonly unitsGauge: { n: number };
  private api?: SystemdApi;
  private down?: string;
  private readonly warned = new Set<string>();
  private readonly subStates = new Map<string, string>();
  private readonly startNs = nowNanos();
  private unpublish?: () => void;

  constructor(set: CreateSettings, private readonly cfg: Config, next: MetricsConsumer, connect?: Connect) {
    this.log = set.logger;
    this.address = cfg.dbus_address ?? defaultBusAddress(cfg.scope);
    this.connect = connect ?? (() => DbusSystemd.connect(this.address, cfg.timeout));
    this.emitter = new CheckEmitter({ type: 'systemd', id: set.id.id, logger: set.logger, telemetry: set.telemetry, next, defs: DEFS, enabled: enabledMetrics(DEFS, cfg.metrics) });
    this.board = new TargetBoard(set.id.id, 'systemd');
    const sig = { signal: 'metrics' };
    this.unavailable = set.telemetry.counter('telemd_receiver_scrapes_skipped_total', 'Collections that reported nothing because their source was unavailable', { ...sig, reason: 'no_systemd' });
    this.callErrors = set.telemetry.counter('telemd_receiver_scrape_errors_total', 'Collections that failed', sig);
    this.unitsGauge = { n: 0 };
    set.telemetry.observe('telemd_receiver_systemd_units', 'Units matched at the last collection', sig, () => this.unitsGauge.n);
    this.scheduler = new ProbeScheduler({
      name: 'systemd', logger: set.logger, telemetry: set.telemetry,
      targets: [{ key: `systemd:${cfg.scope}`, intervalMs: cfg.collection_interval }],
      maxConcurrency: 1, initialDelayMs: cfg.initial_delay, spread: false,
      probe: () => this.collect(),
    });
  }

  async start(_host: Host): Promise<void> {
    this.unpublish = publishBoard(this.board);
    this.scheduler.start();
  }

  async shutdown(): Promise<void> {
    await this.scheduler.shutdown();
    await this.emitter.shutdown();
    this.api?.close();
    this.api = undefined;
    this.unpublish?.();
  }

  /** One collection (the scheduler's probe; tests call it directly). */
  async collect(): Promise<void> {
    const api = await this.bus();
    if (!api) return;
    let units: UnitTuple[];
    try {
      units = await this.listUnits(api);
    } catch (e) {
      this.lost(e);
      return;
    }
    this.unitsGauge.n = units.length;
    const tNs = nowNanos();
    const b = this.emitter.builder;
    const seen = new Set<string>();
    await Promise.all(
      units.map(async (u) => {
        seen.add(u.name);
        try {
          await this.unit(api, b, u, tNs);
        } catch (e) {
          this.callErrors.add();
          this.warnOnce(`unit:${u.name}`, { unit: u.name, err: (e as Error).message }, 'systemd: could not read a unit; its other points are reported');
        }
      }),
    );
    for (const t of this.board.list()) if (!seen.has(t.target)) this.board.forget(t.target);
    this.emitter.added();
  }

  private async bus(): Promise<SystemdApi | undefined> {
    if (this.api && !(this.api instanceof DbusSystemd && this.api.broken)) return this.api;
    if (this.api) this.lost(this.api instanceof DbusSystemd ? this.api.broken : new Error('bus closed'));
    try {
      this.api = await this.connect();
      // A bus without systemd on it answers Hello but not the manager: ask once.
      await this.api.listUnitsByPatterns(['telemd-probe-nonexistent.none']);
    } catch (e) {
      this.api?.close();
      this.api = undefined;
      this.unavailable.add();
      const why = reason(e);
      if (this.down === undefined) {
        this.log.warn({ address: this.address, scope: this.cfg.scope, err: why }, `systemd receiver: no systemd answers on D-Bus (${this.address}): ${why}; reporting nothing until it does`);
      }
      this.down = why;
      return undefined;
    }
    if (this.down !== undefined) this.log.info({ address: this.address }, 'systemd receiver: systemd answers on D-Bus again');
    this.down = undefined;
    return this.api;
  }

  private lost(e: unknown): void {
    this.api?.close();
    this.api = undefined;
    this.unavailable.add();
    const why = reason(e);
    if (this.down === undefined) this.log.warn({ address: this.address, err: why }, `systemd receiver: lost systemd on D-Bus: ${why}; reporting nothing until it answers`);
    this.down = why;
  }

  /** Units matching the globs, plus every unit named literally (loaded for the asking, as systemctl does). */
  private async listUnits(api: SystemdApi): Promise<UnitTuple[]> {
    const names = this.cfg.units.filter((u) => !GLOB.test(u));
    const listed = this.cfg.units.length ? await api.listUnitsByPatterns(this.cfg.units) : [];
    const byName = new Map(listed.map((u) => [u.name, u]));
    for (const [i, g] of this.cfg.units.entries())
      if (GLOB.test(g) && !listed.some((u) => globMatch(g, u.name)))
        this.warnOnce(`glob:${g}`, { pattern: g, index: i }, `systemd receiver: units[${i}]: "${g}" matches no loaded unit`);
    for (const n of names) {
      if (byName.has(n)) continue;
      const path = await api.loadUnit(n);
      const [loadState, activeState, subState] = await Promise.all([
        api.getProperty(path, UNIT, 'LoadState'),
        api.getProperty(path, UNIT, 'ActiveState'),
        api.getProperty(path, UNIT, 'SubState'),
      ]);
      const u: UnitTuple = { name: n, description: '', loadState: String(loadState), activeState: String(activeState), subState: String(subState), path };
      if (u.loadState === 'not-found')
        this.warnOnce(`missing:${n}`, { unit: n, index: this.cfg.units.indexOf(n) }, `systemd receiver: units[${this.cfg.units.indexOf(n)}]: no unit named "${n}" (load state not-found)`);
      byName.set(n, u);
    }
    return [...byName.values()];
  }

  private async unit(api: SystemdApi, b: PointsBuilder, u: UnitTuple, tNs: bigint): Promise<void> {
    const res = { 'systemd.unit.name': u.name };
    for (const st of ACTIVE_STATES) b.add('systemd.unit.state', u.activeState === st ? 1 : 0, { 'systemd.unit.active_state': st }, tNs, this.startNs, res);
    for (const st of LOAD_STATES) b.add('systemd.unit.load_state', u.loadState === st ? 1 : 0, { 'systemd.unit.load_state': st }, tNs, this.startNs, res);
    const prevSub = this.subStates.get(u.name);
    if (prevSub !== undefined && prevSub !== u.subState) b.add('systemd.unit.sub_state', 0, { 'systemd.unit.sub_state': prevSub }, tNs, this.startNs, res, true);
    this.subStates.set(u.name, u.subState);
    b.add('systemd.unit.sub_state', 1, { 'systemd.unit.sub_state': u.subState }, tNs, this.startNs, res);
    const detail: Record<string, string | number | boolean> = { active_state: u.activeState, sub_state: u.subState, load_state: u.loadState };
    const t = performance.now();
    if (u.loadState !== 'not-found') {
      const changed = toNumber(await api.getProperty(u.path, UNIT, 'StateChangeTimestamp'));
      if (changed > 0) {
        const secs = Math.max(0, (Date.now() * 1000 - changed) / 1e6);
        b.add('systemd.unit.state.duration', secs, {}, tNs, 0n, res);
        detail.state_since = new Date(changed / 1000).toISOString();
      }
      if (u.name.endsWith('.service')) {
        const [restarts, cgroup] = await Promise.all([
          b.on('systemd.service.restarts') ? api.getProperty(u.path, SERVICE, 'NRestarts') : undefined,
          b.on('systemd.service.cpu.time') ? api.getProperty(u.path, SERVICE, 'ControlGroup') : undefined,
        ]);
        if (restarts !== undefined) {
          b.add('systemd.service.restarts', toNumber(restarts), {}, tNs, this.startNs, res);
          detail.restarts = toNumber(restarts);
        }
        if (typeof cgroup === 'string' && cgroup !== '') {
          const cpu = await cgroupCpu(cgroup);
          if (cpu) {
            b.add('systemd.service.cpu.time', cpu.system, { 'cpu.mode': 'system' }, tNs, this.startNs, res);
            b.add('systemd.service.cpu.time', cpu.user, { 'cpu.mode': 'user' }, tNs, this.startNs, res);
          }
        }
      }
    }
    const ok = u.activeState === 'active' || (u.activeState === 'inactive' && u.subState === 'dead' && u.loadState === 'loaded');
    this.board.record(u.name, { ok: ok && u.activeState !== 'failed', t: Date.now(), ms: performance.now() - t, error: u.activeState === 'failed' ? `failed (${u.subState})` : u.loadState === 'not-found' ? 'no such unit' : undefined, detail });
  }

  private warnOnce(key: string, obj: Record<string, unknown>, msg: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.log.warn(obj, msg);
  }
}

function toNumber(v: unknown): number {
  return typeof v === 'bigint' ? Number(v) : typeof v === 'number' ? v : Number(v ?? 0);
}

function reason(e: unknown): string {
  const err = e as { code?: string; type?: string; message?: string; text?: string };
  if (err?.code === 'ENOENT') return `no bus socket (${err.message ?? 'ENOENT'})`;
  if (err?.type === 'org.freedesktop.DBus.Error.ServiceUnknown') return 'the bus has no org.freedesktop.systemd1 (systemd is not running there)';
  return err?.text ?? err?.message ?? String(e);
}

/** fnmatch without flags, as systemd matches unit patterns. */
export function globMatch(pattern: string, name: string): boolean {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) re += '\\[';
      else {
        let set = pattern.slice(i + 1, end);
        if (set.startsWith('!')) set = `^${set.slice(1)}`;
        re += `[${set.replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else if (c === '\\' && i + 1 < pattern.length) re += `\\${pattern[++i]}`;
    else re += c.replace(/[.+^${}()|\\/]/g, '\\$&');
  }
  return new RegExp(`${re}$`).test(name);
}

/** user_usec and system_usec of a cgroup v2 cpu.stat; undefined where there is none (cgroup v1, no access). */
async function cgroupCpu(cgroup: string): Promise<{ user: number; system: number } | undefined> {
  let text: string;
  try {
    text = await readFile(`/sys/fs/cgroup${cgroup}/cpu.stat`, 'utf8');
  } catch {
    return undefined;
  }
  const get = (k: string): number => Number(new RegExp(`^${k} (\\d+)$`, 'm').exec(text)?.[1] ?? NaN);
  const user = get('user_usec');
  const system = get('system_usec');
  return Number.isFinite(user) && Number.isFinite(system) ? { user, system } : undefined;
}
