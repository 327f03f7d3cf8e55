import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MetricRegistry } from '../../src/telemetry/self.js';

export { testSettings, type TestSettings } from '../helpers/settings.js';

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
