import { describe, expect, it } from 'vitest';
import { SignalBus } from '../../src/analysis/bus.js';
import type { LogsData } from '../../src/pdata/types.js';

const logs = (body: string): LogsData => ({ resourceLogs: [{ resource: { attributes: {} }, scopeLogs: [{ scope: { name: 's' }, logRecords: [{ timeUnixNano: 1n, observedTimeUnixNano: 1n, severityNumber: 9, body, attributes: {} }] }] }] });

describe('SignalBus', () => {
  it('delivers to subscribers of the same id and signal only, each with its own copy', async () => {
    const bus = new SignalBus();
    const got: LogsData[][] = [[], [], []];
    bus.subscribe('anomaly', 'logs', async (d) => void got[0]!.push(d));
    bus.subscribe('anomaly', 'logs', async (d) => {
      d.resourceLogs = []; // a consumer may mutate
      got[1]!.push(d);
    });
    bus.subscribe('anomaly/other', 'logs', async (d) => void got[2]!.push(d));
    expect(await bus.publish('anomaly', 'logs', logs('x'))).toBe(2);
    expect(got[0]![0]!.resourceLogs).toHaveLength(1);
    expect(got[2]).toHaveLength(0);
    expect(await bus.publish('anomaly', 'metrics', { resourceMetrics: [] })).toBe(0);
  });

  it('propagates a refusal and forgets unsubscribed listeners', async () => {
    const bus = new SignalBus();
    const off = bus.subscribe('a', 'logs', async () => {
      throw new Error('queue full');
    });
    await expect(bus.publish('a', 'logs', logs('x'))).rejects.toThrow('queue full');
    off();
    expect(bus.hasSubscribers('a', 'logs')).toBe(false);
    expect(await bus.publish('a', 'logs', logs('x'))).toBe(0);
  });
});
