import pino from 'pino';
import { Writable } from 'node:stream';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CreateSettings, Kind } from '../../src/component/component.js';
import { parseComponentId } from '../../src/component/component.js';
import { MetricRegistry, SelfTelemetry } from '../../src/telemetry/self.js';

export interface TestSettings extends CreateSettings {
  registry: MetricRegistry;
  /** Parsed pino lines written so far. */
  lines: Record<string, unknown>[];
}

/** Real pino logger (captured) and a real self-metrics registry for one component. */
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
  return {
    id: cid,
    kind,
    logger: pino({ level: 'debug' }, sink),
    telemetry: new SelfTelemetry(registry, { [kind]: cid.id }),
    registry,
    lines,
  };
}

export function tempDir(prefix = 'telemd-test-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** Value of one self-metric series from the Prometheus rendering (0 when absent). */
export function metric(registry: MetricRegistry, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of registry.renderPrometheus().split('\n')) {
    if (!line.startsWith(name + '{') && !line.startsWith(name + ' ')) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) total += Number(line.split(' ').pop());
  }
  return total;
}
