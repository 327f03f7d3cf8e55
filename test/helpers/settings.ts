// CreateSettings for in-process component tests: a real pino logger whose JSON lines are kept
// in memory, and a real self-metrics registry.
import pino from 'pino';
import { Writable } from 'node:stream';
import type { CreateSettings, Kind } from '../../src/component/component.js';
import { parseComponentId } from '../../src/component/component.js';
import { MetricRegistry, SelfTelemetry } from '../../src/telemetry/self.js';

export interface TestSettings extends CreateSettings {
  registry: MetricRegistry;
  /** Parsed pino lines written so far. */
  lines: Record<string, unknown>[];
}

/** Self-metrics are labelled `{<kind>: <id>}`, as the agent does. */
export function testSettings(id: string, kind: Kind): TestSettings {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  const registry = new MetricRegistry();
  const cid = parseComponentId(id)!;
  return { id: cid, kind, logger: pino({ level: 'debug' }, sink), telemetry: new SelfTelemetry(registry, { [kind]: cid.id }), registry, lines };
}
