import pino from 'pino';
import { expect } from 'vitest';
import { ParseContext, type Schema } from '../../src/config/schema.js';
import type { CreateSettings, Host, Kind } from '../../src/component/component.js';
import { parseComponentId } from '../../src/component/component.js';
import { MetricRegistry, SelfTelemetry } from '../../src/telemetry/self.js';
import { ConsumerError, type SignalConsumers } from '../../src/component/consumer.js';
import { testHost } from '../helpers/host.js';
import type { Signal, SignalData } from '../../src/pdata/types.js';

export function settings(id: string, kind: Kind): CreateSettings & { registry: MetricRegistry; logLines: string[] } {
  const registry = new MetricRegistry();
  const logLines: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (s: string) => void logLines.push(s) });
  return {
    id: parseComponentId(id)!,
    kind,
    logger,
    telemetry: new SelfTelemetry(registry, { component: id, kind }),
    registry,
    logLines,
  };
}

export const host: Host = testHost({
  reportFatal: (id, err) => {
    throw new Error(`fatal from ${id}: ${String(err)}`);
  },
});

/** Consumers that record every batch; `refuse` makes the next calls fail. */
export class Sink {
  got: { [S in Signal]: SignalData[S][] } = { metrics: [], logs: [], traces: [] };
  refuse?: ConsumerError;
  consumers: SignalConsumers = {
    metrics: { consume: async (d) => this.take('metrics', d) },
    logs: { consume: async (d) => this.take('logs', d) },
    traces: { consume: async (d) => this.take('traces', d) },
  };
  private take<S extends Signal>(s: S, d: SignalData[S]): void {
    if (this.refuse) throw this.refuse;
    (this.got[s] as SignalData[S][]).push(d);
  }
}

export function metricValue(registry: MetricRegistry, name: string, labels: Record<string, string>): number {
  const text = registry.renderPrometheus();
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name + '{')) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) total += Number(line.split(' ').pop());
  }
  return total;
}

/** A component config parsed from YAML-like input; the parse must report no issues. */
export function parseConfig<C>(schema: Schema<C>, raw: unknown): C {
  const ctx = new ParseContext();
  const cfg = schema.parse(raw, ctx);
  expect(ctx.issues).toEqual([]);
  return cfg;
}
