// systemd's manager API over D-Bus (dbus-next), as the three calls the receiver needs. Every
// call has its own timeout: dbus-next leaves a call pending forever when the connection fails,
// and a receiver must never wait on a bus that is gone.
import dbus from 'dbus-next';

export interface UnitTuple {
  name: string;
  description: string;
  loadState: string;
  activeState: string;
  subState: string;
  path: string;
}

/** What the receiver asks systemd; the D-Bus client and the recorded-replies fake both implement it. */
export interface SystemdApi {
  listUnitsByPatterns(patterns: readonly string[]): Promise<UnitTuple[]>;
  /** LoadUnit: the unit's object path, loading it (load state not-found for a unit that does not exist). */
  loadUnit(name: string): Promise<string>;
  /** One property of an object (`org.freedesktop.systemd1.Unit`, `StateChangeTimestamp`). */
  getProperty(path: string, iface: string, name: string): Promise<unknown>;
  close(): void;
}

const SYSTEMD = 'org.freedesktop.systemd1';
const MANAGER_PATH = '/org/freedesktop/systemd1';

export function defaultBusAddress(scope: 'system' | 'user', env: NodeJS.ProcessEnv = process.env): string {
  if (scope === 'system') return env.DBUS_SYSTEM_BUS_ADDRESS || 'unix:path=/run/dbus/system_bus_socket';
  if (env.DBUS_SESSION_BUS_ADDRESS) return env.DBUS_SESSION_BUS_ADDRESS;
  const rt = env.XDG_RUNTIME_DIR || `/run/user/${process.getuid?.() ?? 0}`;
  return `unix:path=${rt}/bus`;
}

export class DbusSystemd implements SystemdApi {
  private closed = false;
  private lastError?: Error;

  private constructor(
    private readonly bus: dbus.MessageBus,
    private readonly timeoutMs: number,
  ) {
    bus.on('error', (e: Error) => {
      this.lastError = e;
      this.closed = true;
    });
  }

  /** Connects (Hello answered) or rejects with why, within `timeoutMs`. */
  static connect(address: string, timeoutMs: number): Promise<DbusSystemd> {
    return new Promise((resolve, reject) => {
      let bus: dbus.MessageBus;
      try {
        bus = dbus.sessionBus({ busAddress: address });
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
        return;
      }
      const timer = setTimeout(() => {
        fail(new Error(`no answer from the bus within ${timeoutMs} ms`));
      }, timeoutMs);
      const fail = (e: Error): void => {
        clearTimeout(timer);
        bus.removeAllListeners('connect');
        bus.on('error', () => undefined);
        try {
          bus.disconnect();
        } catch {
          // already gone
        }
        reject(e);
      };
      bus.once('error', fail);
      bus.once('connect', () => {
        clearTimeout(timer);
        bus.removeListener('error', fail);
        resolve(new DbusSystemd(bus, timeoutMs));
      });
    });
  }

  get broken(): Error | undefined {
    return this.closed ? (this.lastError ?? new Error('bus closed')) : undefined;
  }

  private async call(m: { path: string; interface: string; member: string; signature?: string; body?: unknown[] }): Promise<unknown[]> {
    if (this.closed) throw this.lastError ?? new Error('bus closed');
    const msg = new dbus.Message({ destination: SYSTEMD, ...m });
    let timer: NodeJS.Timeout | undefined;
    try {
      const reply = await Promise.race([
        this.bus.call(msg),
        new Promise<never>((_, rej) => (timer = setTimeout(() => rej(new Error(`${m.member}: no reply within ${this.timeoutMs} ms`)), this.timeoutMs))),
      ]);
      return (reply?.body ?? []) as unknown[];
    } finally {
      clearTimeout(timer);
    }
  }

  async listUnitsByPatterns(patterns: readonly string[]): Promise<UnitTuple[]> {
    const body = await this.call({ path: MANAGER_PATH, interface: `${SYSTEMD}.Manager`, member: 'ListUnitsByPatterns', signature: 'asas', body: [[], [...patterns]] });
    return ((body[0] ?? []) as unknown[][]).map(tupleOf);
  }

  async loadUnit(name: string): Promise<string> {
    const body = await this.call({ path: MANAGER_PATH, interface: `${SYSTEMD}.Manager`, member: 'LoadUnit', signature: 's', body: [name] });
    return String(body[0]);
  }

  async getProperty(path: string, iface: string, name: string): Promise<unknown> {
    const body = await this.call({ path, interface: 'org.freedesktop.DBus.Properties', member: 'Get', signature: 'ss', body: [iface, name] });
    const v = body[0] as { value?: unknown } | undefined;
    return v && typeof v === 'object' && 'value' in v ? v.value : v;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.bus.disconnect();
    } catch {
      // already gone
    }
  }
}

/** ListUnits' (ssssssouso): name, description, load, active, sub, following, path, job id, job type, job path. */
export function tupleOf(t: unknown[]): UnitTuple {
  return { name: String(t[0]), description: String(t[1]), loadState: String(t[2]), activeState: String(t[3]), subState: String(t[4]), path: String(t[6]) };
}
