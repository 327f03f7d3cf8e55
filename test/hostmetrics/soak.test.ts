// Soak (TELEMD_SOAK=1, run by hand): thousands of full scrapes must not grow the heap, and
// the process scraper must not leak either (processes come and go between scrapes).
import { describe, expect, it } from 'vitest';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { HostMetricsReceiver } from '../../receivers/hostmetrics/receiver.js';
import { host, parseConfig, settings } from './helpers.js';

describe.skipIf(!process.env.TELEMD_SOAK)('hostmetrics soak', () => {
  it('heap is flat over 5000 scrapes of every scraper', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const cfg = parseConfig({
      collection_interval: '1h',
      scrapers: { cpu: { per_cpu: true }, memory: null, load: null, filesystem: null, network: null, disk: null, paging: null, processes: null, system: null, cgroup: { services: true }, process: null },
    });
    const r = new HostMetricsReceiver(settings(), cfg, { consume: async () => {} });
    await r.start(host);
    await r.shutdown();
    const heapAt = async (n: number) => {
      for (let i = 0; i < n; i++) await r.scrapeOnce();
      gc();
      return process.memoryUsage().heapUsed;
    };
    const h1 = await heapAt(1000);
    const h2 = await heapAt(4000);
    console.log(`heap after 1000 scrapes ${(h1 / 2 ** 20).toFixed(1)} MiB, after 5000 ${(h2 / 2 ** 20).toFixed(1)} MiB, rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(1)} MiB`);
    expect(h2 - h1).toBeLessThan(2 * 2 ** 20);
  }, 900_000);
});
