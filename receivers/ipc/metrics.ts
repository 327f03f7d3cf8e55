// Metric definitions of the ipc receiver and a builder honouring the enabled toggles.
import { AggregationTemporality, type Attributes, type Metric, type NumberDataPoint } from '../../src/pdata/types.js';

interface Def {
  description: string;
  unit: string;
  kind: 'sum' | 'gauge';
  monotonic?: boolean;
  enabled: boolean;
}

const sum = (description: string, unit: string, monotonic = false, enabled = true): Def => ({ description, unit, kind: 'sum', monotonic, enabled });

export const DEFS: Record<string, Def> = {
  // System V IPC (/proc/sysvipc)
  'system.ipc.msg.queues': sum('System V message queues.', '{queue}'),
  'system.ipc.msg.queue.messages': sum('Messages waiting in a System V message queue.', '{message}'),
  'system.ipc.msg.queue.bytes': sum('Bytes waiting in a System V message queue.', 'By'),
  'system.ipc.msg.messages': sum('Messages waiting in all System V message queues.', '{message}'),
  'system.ipc.msg.bytes': sum('Bytes waiting in all System V message queues.', 'By'),
  'system.ipc.sem.arrays': sum('System V semaphore arrays.', '{array}'),
  'system.ipc.sem.semaphores': sum('Semaphores in all System V semaphore arrays.', '{semaphore}'),
  'system.ipc.shm.segments': sum('System V shared memory segments.', '{segment}'),
  'system.ipc.shm.bytes': sum('Size of all System V shared memory segments.', 'By'),
  'system.ipc.shm.attached': sum('Attachments to System V shared memory segments.', '{process}'),
  'system.ipc.shm.segment.bytes': sum('Size of a System V shared memory segment.', 'By'),
  'system.ipc.shm.segment.attached': sum('Processes attached to a System V shared memory segment.', '{process}'),
  // Unix domain sockets (/proc/net/unix)
  'system.ipc.unix.sockets': sum('Unix domain sockets by type and state.', '{socket}'),
  // Kernel counters (/proc/stat, /proc/sys/fs/file-nr)
  'system.ipc.context_switches': sum('Context switches since boot.', '{switch}', true),
  'system.ipc.interrupts': sum('Interrupts serviced since boot.', '{interrupt}', true),
  'system.ipc.forks': sum('Processes and threads created since boot.', '{process}', true),
  'system.ipc.open_files': sum('Allocated file handles in use.', '{file}'),
  'system.ipc.open_files.limit': sum('Maximum number of file handles (fs.file-max).', '{file}'),
  'system.ipc.pipes': sum('Pipes open on the host (count_pipes).', '{pipe}', false, true),
  // TCP/UDP pressure (/proc/net/{snmp,netstat,tcp,tcp6,udp,udp6})
  'system.network.tcp.retransmits': sum('TCP segments retransmitted.', '{segment}', true),
  'system.network.tcp.listen.overflows': sum('Times a listen queue overflowed (ListenOverflows).', '{connection}', true),
  'system.network.tcp.listen.drops': sum('Connection requests dropped at listen sockets (ListenDrops).', '{connection}', true),
  'system.network.tcp.listen.backlog': sum('Connections waiting to be accepted, all listen sockets.', '{connection}'),
  'system.network.tcp.queue.bytes': sum('Bytes in TCP socket queues: receive (not read by the app) and transmit (not acknowledged).', 'By'),
  'system.network.tcp.resets': sum('TCP resets: established connections reset (estab) and resets sent (sent).', '{segment}', true),
  'system.network.udp.queue.bytes': sum('Bytes in UDP socket queues.', 'By'),
  'system.network.udp.errors': sum('UDP datagrams lost, by reason.', '{datagram}', true),
};

export class Builder {
  private byName = new Map<string, Metric & { dataPoints: NumberDataPoint[] }>();
  constructor(
    private readonly enabled: Set<string>,
    private readonly now: bigint,
    private readonly boot: bigint,
  ) {}

  on(name: string): boolean {
    return this.enabled.has(name);
  }

  add(name: string, value: number, attributes: Attributes = {}): void {
    if (!this.enabled.has(name)) return;
    const d = DEFS[name]!;
    let m = this.byName.get(name);
    if (!m) {
      m =
        d.kind === 'sum'
          ? { type: 'sum', name, description: d.description, unit: d.unit, aggregationTemporality: AggregationTemporality.Cumulative, isMonotonic: d.monotonic ?? false, dataPoints: [] }
          : { type: 'gauge', name, description: d.description, unit: d.unit, dataPoints: [] };
      this.byName.set(name, m);
    }
    m.dataPoints.push({ attributes, startTimeUnixNano: d.kind === 'sum' ? this.boot : 0n, timeUnixNano: this.now, value: BigInt(Math.round(value)) });
  }

  result(): Metric[] {
    return [...this.byName.values()];
  }
}
