// A reload whose new pipelines fail to start must release everything they created: the
// restored pipelines run with their own settings (here: memory_limiter's shared monitor).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { Agent } from '../../src/service/agent.js';
import { factories } from '../../src/registry.js';
import { tempDir } from '../helpers/agent.js';

const config = (limitMib: number, out: string) => `
receivers:
  hostmetrics:
    collection_interval: 1s
    scrapers: { load: }
processors:
  memory_limiter:
    check_interval: 100ms
    limit_mib: ${limitMib}
exporters:
  file:
    path: ${out}
service:
  pipelines:
    metrics:
      receivers: [hostmetrics]
      processors: [memory_limiter]
      exporters: [file]
  telemetry:
    metrics:
      level: none
`;

describe('failed reload', () => {
  it('restores the old pipelines with their own memory limits', async () => {
    const dir = tempDir();
    const cfgPath = join(dir, 'telemd.yaml');
    writeFileSync(cfgPath, config(4000, join(dir, 'out.jsonl')));
    const agent = new Agent({ files: [cfgPath], factories, logger: pino({ level: 'silent' }) });
    await agent.start();
    try {
      const refusing = () => agent.registry.values('telemd_memory_limiter_refusing').reduce((n, s) => n + s.value, 0);
      await new Promise((r) => setTimeout(r, 300));
      expect(refusing()).toBe(0);
      // A 1 MiB limit and an exporter path that cannot be created (its parent is a file).
      writeFileSync(cfgPath, config(1, join(cfgPath, 'out.jsonl')));
      const r = await agent.reload();
      expect(r.applied).toBe(false);
      expect(r.errors.join()).toMatch(/exporter file failed to start/);
      await new Promise((r) => setTimeout(r, 500));
      expect(refusing()).toBe(0);
      expect(agent.health().healthy).toBe(true);
    } finally {
      await agent.stop();
    }
  });
});
