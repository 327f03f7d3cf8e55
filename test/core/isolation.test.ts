// An exporter whose backend is down must not stall the other exporters of its pipeline.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/agent.js';
import { agentsKilledAfterEach } from '../helpers/agents.js';
import { freePort } from '../helpers/ports.js';

const startAgent = agentsKilledAfterEach();

function scrapesIn(path: string): number {
  if (!existsSync(path)) return 0;
  return readFileSync(path, 'utf8').split('\n').filter((l) => l.includes('system.cpu.load_average.1m')).length;
}

describe('exporter isolation', () => {
  it('keeps feeding the file exporter while the OTLP backend is down', async () => {
    const dir = tempDir();
    const dead = await freePort(); // nothing listens here
    const out = join(dir, 'out.jsonl');
    const agent = await startAgent({
      dir,
      config: `receivers:
  hostmetrics:
    collection_interval: 300ms
    scrapers:
      load:
processors:
  batch:
    timeout: 10ms
exporters:
  otlphttp:
    endpoint: http://127.0.0.1:${dead}
    retry_on_failure:
      initial_interval: 100ms
      max_interval: 200ms
      max_elapsed_time: 0
  file:
    path: ${out}
    flush_interval: 10ms
service:
  pipelines:
    metrics:
      receivers: [hostmetrics]
      processors: [batch]
      exporters: [otlphttp, file]
`,
    });
    const end = Date.now() + 20_000;
    while (scrapesIn(out) < 12 && Date.now() < end) await new Promise((r) => setTimeout(r, 200));
    // ~4 s of scraping at 300 ms: every scrape reached the file although no OTLP send ever succeeded.
    expect(scrapesIn(out)).toBeGreaterThanOrEqual(12);
    const self = await (await fetch(`http://127.0.0.1:${agent.selfMetricsPort}/metrics`)).text();
    expect(self).toMatch(/telemd_exporter_sent_items_total\{exporter="otlphttp",signal="metrics"\} 0/);
  });
});
