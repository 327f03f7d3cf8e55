// The systemd receiver against a real systemd (a user manager under a private D-Bus, see
// test/helpers/systemd-user.ts for what that needs), against replies recorded from it
// (test/fixtures/systemd/replies.json; TELEMD_RECORD_DBUS=1 rewrites them), and against a bus
// that is not there.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ParseContext } from '../../src/config/schema.js';
import type { MetricsData, NumberDataPoint } from '../../src/pdata/types.js';
import { configSchema } from '../../receivers/systemd/config.js';
import { DbusSystemd, type SystemdApi, type UnitTuple } from '../../receivers/systemd/dbus.js';
import { globMatch, SystemdReceiver } from '../../receivers/systemd/receiver.js';
import { startUserSystemd, systemdUserUnavailable } from '../helpers/systemd-user.js';
import { testSettings } from '../helpers/settings.js';
import { until } from '../helpers/wait.js';

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'systemd', 'replies.json');
const skipReal = systemdUserUnavailable();

type Call = { method: string; args: unknown[]; reply?: unknown; error?: string };

/** Records every call and reply of a real bus (for the fixture). */
class Recording implements SystemdApi {
  readonly calls: Call[] = [];
  constructor(private readonly inner: SystemdApi) {}
  private async rec<T>(method: string, args: unknown[], f: () => Promise<T>): Promise<T> {
    try {
      const reply = await f();
      this.calls.push({ method, args, reply });
      return reply;
    } catch (e) {
      this.calls.push({ method, args, error: (e as Error).message });
      throw e;
    }
  }
  listUnitsByPatterns(p: readonly string[]): Promise<UnitTuple[]> {
    return this.rec('listUnitsByPatterns', [p], () => this.inner.listUnitsByPatterns(p));
  }
  loadUnit(n: string): Promise<string> {
    return this.rec('loadUnit', [n], () => this.inner.loadUnit(n));
  }
  getProperty(path: string, iface: string, name: string): Promise<unknown> {
    return this.rec('getProperty', [path, iface, name], () => this.inner.getProperty(path, iface, name));
  }
  close(): void {
    this.inner.close();
  }
}

/** Answers from recorded replies (the last reply recorded for the same call). */
class Replay implements SystemdApi {
  constructor(private readonly calls: Call[]) {}
  private find(method: string, args: unknown[]): unknown {
    const key = JSON.stringify(args);
    const c = [...this.calls].reverse().find((x) => x.method === method && JSON.stringify(x.args) === key);
    if (!c) throw new Error(`no recorded reply for ${method}(${key})`);
    if (c.error) throw new Error(c.error);
    return c.reply;
  }
  async listUnitsByPatterns(p: readonly string[]): Promise<UnitTuple[]> {
    return this.find('listUnitsByPatterns', [p]) as UnitTuple[];
  }
  async loadUnit(n: string): Promise<string> {
    return this.find('loadUnit', [n]) as string;
  }
  async getProperty(path: string, iface: string, name: string): Promise<unknown> {
    const v = this.find('getProperty', [path, iface, name]);
    return typeof v === 'string' && /^\d+n$/.test(v) ? BigInt(v.slice(0, -1)) : v;
  }
  close(): void {}
}

const UNITS = ['sleeper.service', 'broken.service', 'flappy.service', 'nosuch.service', 'telemd-*.timer'];

function receiverWith(api: () => Promise<SystemdApi>, extra: Record<string, unknown> = {}) {
  const ctx = new ParseContext();
  const cfg = configSchema.parse({ scope: 'user', units: UNITS, collection_interval: '200ms', initial_delay: 0, ...extra }, ctx);
  expect(ctx.issues).toEqual([]);
  const set = testSettings('systemd', 'receiver');
  const batches: MetricsData[] = [];
  const r = new SystemdReceiver(set, cfg, { consume: async (d) => void batches.push(d) }, api);
  const point = (name: string, unit: string, attrs: Record<string, string> = {}): NumberDataPoint | undefined =>
    batches
      .flatMap((b) => b.resourceMetrics.filter((rm) => rm.resource.attributes['systemd.unit.name'] === unit))
      .flatMap((rm) => rm.scopeMetrics.flatMap((sm) => sm.metrics.filter((m) => m.name === name)))
      .flatMap((m) => ('dataPoints' in m ? (m.dataPoints as NumberDataPoint[]) : []))
      .filter((p) => Object.entries(attrs).every(([k, v]) => p.attributes[k] === v))
      .at(-1);
  return { r, set, batches, point };
}

function expectStates(point: ReturnType<typeof receiverWith>['point']): void {
  expect(point('systemd.unit.state', 'sleeper.service', { 'systemd.unit.active_state': 'active' })?.value).toBe(1n);
  expect(point('systemd.unit.state', 'sleeper.service', { 'systemd.unit.active_state': 'failed' })?.value).toBe(0n);
  expect(point('systemd.unit.sub_state', 'sleeper.service', { 'systemd.unit.sub_state': 'running' })?.value).toBe(1n);
  expect(point('systemd.unit.load_state', 'sleeper.service', { 'systemd.unit.load_state': 'loaded' })?.value).toBe(1n);
  expect(Number(point('systemd.unit.state.duration', 'sleeper.service')?.value)).toBeGreaterThanOrEqual(0);
  expect(point('systemd.unit.state', 'broken.service', { 'systemd.unit.active_state': 'failed' })?.value).toBe(1n);
  expect(Number(point('systemd.service.restarts', 'flappy.service')?.value)).toBeGreaterThanOrEqual(2);
  expect(point('systemd.unit.load_state', 'nosuch.service', { 'systemd.unit.load_state': 'not-found' })?.value).toBe(1n);
}

describe('systemd receiver', () => {
  it.skipIf(skipReal !== undefined)(`against a real systemd --user under a private D-Bus${skipReal ? ` (skipped: ${skipReal})` : ''}`, async () => {
    const sd = await startUserSystemd();
    try {
      sd.addUnit('sleeper.service', '[Service]\nExecStart=/bin/sleep 300\n');
      sd.addUnit('broken.service', '[Service]\nExecStart=/bin/false\n');
      sd.addUnit('flappy.service', '[Unit]\nStartLimitIntervalSec=0\n[Service]\nExecStart=/bin/sh -c "sleep 0.1; exit 3"\nRestart=always\nRestartSec=100ms\n');
      sd.systemctl('start', 'sleeper.service', 'flappy.service');
      sd.systemctl('start', 'broken.service');
      let rec: Recording | undefined;
      const { r, set, point } = receiverWith(async () => (rec = new Recording(await DbusSystemd.connect(sd.busAddress, 5000))), { dbus_address: sd.busAddress });
      await r.start({} as never);
      try {
        await until(() => Number(point('systemd.service.restarts', 'flappy.service')?.value ?? 0) >= 2 && point('systemd.unit.state', 'broken.service', { 'systemd.unit.active_state': 'failed' })?.value === 1n, 15_000, 'states and restarts');
        expectStates(point);
        if (process.env.TELEMD_RECORD_DBUS === '1' && rec) {
          // The latest reply of each distinct call, taken while every unit is in its state.
          const last = new Map(rec.calls.map((c) => [`${c.method}${JSON.stringify(c.args)}`, c]));
          writeFileSync(FIXTURE, `${JSON.stringify([...last.values()], (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v), 1)}\n`);
        }
        // The restarts keep counting while the unit flaps.
        const n = Number(point('systemd.service.restarts', 'flappy.service')!.value);
        await until(() => Number(point('systemd.service.restarts', 'flappy.service')!.value) > n, 10_000, 'more restarts');
        const warns = set.lines.filter((l) => l.level === 40).map((l) => String(l.msg));
        expect(warns).toContain('systemd receiver: units[3]: no unit named "nosuch.service" (load state not-found)');
        expect(warns).toContain('systemd receiver: units[4]: "telemd-*.timer" matches no loaded unit');
        // A stopped unit: sleeper goes inactive, its old sub state ends with a staleness marker.
        sd.systemctl('stop', 'sleeper.service');
        await until(() => point('systemd.unit.state', 'sleeper.service', { 'systemd.unit.active_state': 'inactive' })?.value === 1n, 5000, 'sleeper inactive');
        expect(point('systemd.unit.sub_state', 'sleeper.service', { 'systemd.unit.sub_state': 'running' })?.flags).toBe(1);
        // systemd goes away: said once, nothing reported, no crash.
        await sd.stop();
        await until(() => set.registry.values('telemd_receiver_scrapes_skipped_total').some((v) => v.value >= 2), 10_000, 'skipped scrapes');
        expect(set.lines.filter((l) => /lost systemd on D-Bus|no systemd answers/.test(String(l.msg))).length).toBe(1);
      } finally {
        await r.shutdown();
      }
    } finally {
      await sd.stop();
    }
  });

  it('from recorded D-Bus replies', async () => {
    const calls = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Call[];
    const { r, point, set } = receiverWith(async () => new Replay(calls));
    await r.collect();
    await r.shutdown();
    expectStates(point);
    expect(set.lines.some((l) => String(l.msg).includes('no unit named "nosuch.service"'))).toBe(true);
  });

  it('with no bus: says so once, reports nothing, counts the scrapes', async () => {
    const { r, set, batches } = receiverWith(() => DbusSystemd.connect('unix:path=/nonexistent/telemd-test-bus', 1000));
    for (let i = 0; i < 3; i++) await r.collect();
    await r.shutdown();
    expect(batches).toEqual([]);
    const said = set.lines.filter((l) => String(l.msg).startsWith('systemd receiver: no systemd answers on D-Bus'));
    expect(said).toHaveLength(1);
    expect(String(said[0]!.msg)).toContain('no bus socket');
    expect(set.registry.values('telemd_receiver_scrapes_skipped_total')[0]!.value).toBe(3);
  });

  it('refuses malformed unit patterns at their position', () => {
    const ctx = new ParseContext();
    configSchema.parse({ units: ['nginx', 'a[bc.service', 'ok.service', ''] }, ctx);
    expect(ctx.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      'units.0: unit "nginx" has no unit type suffix (e.g. nginx.service) and no glob',
      'units.1: unit pattern "a[bc.service": unclosed "["',
      'units.3: an empty unit pattern',
    ]);
  });

  it('matches globs as systemd does (fnmatch)', () => {
    expect(globMatch('*.service', 'a.service')).toBe(true);
    expect(globMatch('ng?nx.service', 'nginx.service')).toBe(true);
    expect(globMatch('[ab]*.timer', 'b-x.timer')).toBe(true);
    expect(globMatch('[!ab]*.timer', 'b-x.timer')).toBe(false);
    expect(globMatch('*.service', 'a.socket')).toBe(false);
  });
});
