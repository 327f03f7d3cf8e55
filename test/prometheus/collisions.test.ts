// Per-process metrics are told apart only by their resource attributes. Without
// resource_to_telemetry_conversion those are not labels: the series collide, the exporter warns
// once and counts them; with it, every process is its own series. Real processes, real scraper.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { factory } from '../../exporters/prometheus/index.js';
import { ParseContext } from '../../src/config/schema.js';
import type { Exporter } from '../../src/component/component.js';
import type { MetricsData } from '../../src/pdata/types.js';
import { HostMetricsReceiver } from '../../receivers/hostmetrics/receiver.js';
import { freePort } from '../helpers/ports.js';
import { parseConfig } from '../hostmetrics/helpers.js';
import { testSettings } from '../helpers/settings.js';
import { cpuTime, host, md, settings, T0 } from './fixtures.js';

let exp: Exporter | undefined;
const kids: ChildProcess[] = [];
afterEach(async () => {
  await exp?.shutdown();
  exp = undefined;
  for (const k of kids.splice(0)) k.kill('SIGKILL');
});

async function start(raw: Record<string, unknown> = {}) {
  const port = await freePort();
  const ctx = new ParseContext();
  const cfg = factory.config.parse({ endpoint: `127.0.0.1:${port}`, ...raw }, ctx);
  expect(ctx.issues).toEqual([]);
  const set = settings();
  exp = factory.create(set, cfg, ['metrics']);
  await exp.start(host);
  return { set, url: `http://127.0.0.1:${port}/metrics` };
}

/** One process scrape of three `sleep` children of ours. */
async function threeSleeps(): Promise<{ data: MetricsData; pids: number[] }> {
  const mine = [0, 1, 2].map(() => spawn('sleep', ['30'], { stdio: 'ignore' }));
  kids.push(...mine);
  const pids = mine.map((k) => k.pid!);
  const r = new HostMetricsReceiver(testSettings('hostmetrics', 'receiver'), parseConfig({ collection_interval: '1h', scrapers: { process: { include: { names: ['sleep'], match_type: 'strict' } } } }), { consume: async () => {} });
  await r.start(host);
  await r.shutdown();
  const data = await r.scrapeOnce();
  data.resourceMetrics = data.resourceMetrics.filter((rm) => pids.includes(Number(rm.resource.attributes['process.pid'])));
  expect(data.resourceMetrics).toHaveLength(3);
  return { data, pids };
}

const rssLines = (body: string) => body.split('\n').filter((l) => l.startsWith('process_memory_usage_bytes{'));
const warnings = (lines: Record<string, unknown>[]) => lines.filter((l) => String(l.msg).startsWith('series collide'));

describe('prometheus exporter: series that cannot be told apart', () => {
  it('warns once and counts the points that collide when resource attributes are not labels', async () => {
    const { set, url } = await start();
    const { data } = await threeSleeps();
    await exp!.consumers.metrics!.consume(data);
    const again = await threeSleeps();
    await exp!.consumers.metrics!.consume(again.data);
    expect(rssLines(await (await fetch(url)).text())).toHaveLength(1);
    const w = warnings(set.lines).filter((l) => l.metric === 'process_memory_usage_bytes');
    expect(w).toHaveLength(1);
    expect(String(w[0]!.msg)).toContain('resource_to_telemetry_conversion');
    // 3 processes → 2 collisions per metric point per scrape, for each of the 7 default points.
    const m = /telemd_exporter_prometheus_series_collisions_total\{[^}]*\} (\d+)/.exec(set.registry.renderPrometheus());
    expect(Number(m![1])).toBe(2 * 7 * 2);
    expect(set.registry.renderPrometheus()).toMatch(/telemd_exporter_dropped_items_total\{[^}]*\} 28\n/);
  });

  it('exposes every process as its own series with resource_to_telemetry_conversion', async () => {
    const { set, url } = await start({ resource_to_telemetry_conversion: { enabled: true } });
    const { data, pids } = await threeSleeps();
    await exp!.consumers.metrics!.consume(data);
    const lines = rssLines(await (await fetch(url)).text());
    expect(lines).toHaveLength(3);
    for (const pid of pids) expect(lines.some((l) => l.includes(`process_pid="${pid}"`) && l.includes('process_executable_name="sleep"'))).toBe(true);
    expect(warnings(set.lines)).toEqual([]);
    expect(set.registry.renderPrometheus()).not.toMatch(/telemd_exporter_prometheus_series_collisions_total\{[^}]*\} [1-9]/);
  });

  it('does not call successive values of one series a collision (two scrapes in one batch included)', async () => {
    const { set, url } = await start();
    await exp!.consumers.metrics!.consume(md([cpuTime(T0, 1, 2)]));
    await exp!.consumers.metrics!.consume(md([cpuTime(T0 + 1_000_000_000n, 3, 4)]));
    const merged = md([cpuTime(T0 + 2_000_000_000n, 5, 6), cpuTime(T0 + 3_000_000_000n, 7, 8)]);
    await exp!.consumers.metrics!.consume(merged);
    expect(await (await fetch(url)).text()).toContain('state="user"} 7\n');
    expect(warnings(set.lines)).toEqual([]);
  });
});
