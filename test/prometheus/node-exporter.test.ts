// The real telemd process: its prometheus receiver scrapes Debian's node_exporter and
// remote-writes to a real Prometheus that also scrapes node_exporter directly; both paths must
// give the same series.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type Agent } from '../helpers/agent.js';
import { haveNodeExporter, havePrometheus, startNodeExporter, startPrometheus, type RealNodeExporter, type RealPrometheus } from './helpers/real.js';

describe.skipIf(!havePrometheus || !haveNodeExporter)('node_exporter through telemd vs scraped directly', () => {
  let prom: RealPrometheus;
  let node: RealNodeExporter;
  let agent: Agent;

  beforeAll(async () => {
    node = await startNodeExporter();
    const target = `127.0.0.1:${node.port}`;
    prom = await startPrometheus({
      scrapeConfigs: `  - job_name: node\n    static_configs:\n      - targets: ['${target}']\n        labels: { path: direct }\n`,
    });
    agent = await startAgent({
      config: `
receivers:
  prometheus:
    config:
      scrape_configs:
        - job_name: node
          scrape_interval: 1s
          static_configs:
            - targets: ['${target}']
exporters:
  prometheusremotewrite:
    endpoint: ${prom.writeUrl}
    external_labels: { path: telemd }
service:
  pipelines:
    metrics:
      receivers: [prometheus]
      exporters: [prometheusremotewrite]
`,
    });
    // Prometheus applies discovered targets every 5 s; wait for a few direct scrapes.
    const end = Date.now() + 30_000;
    while (Date.now() < end && (await prom.query('scrape_samples_scraped{path="direct"}[5s]').then((r) => (r[0] as unknown as { values?: unknown[] } | undefined)?.values?.length ?? 0)) < 2)
      await new Promise((r) => setTimeout(r, 250));
  });
  afterAll(async () => {
    expect(await agent?.stop()).toBe(0);
    await prom?.stop();
    await node?.stop();
  });

  it('has the same series names and labels, and values within one scrape interval', async () => {
    const key = (m: Record<string, string>) => JSON.stringify(Object.entries(m).filter(([k]) => k !== 'path').sort());
    const direct = await prom.query('{path="direct"}');
    const viaTelemd = await prom.query('{path="telemd"}');
    // target_info (server.address, url.scheme of the target) exists only via telemd.
    const d = new Map(direct.map((r) => [key(r.metric), Number(r.value[1])]));
    const t = new Map(viaTelemd.filter((r) => r.metric.__name__ !== 'target_info').map((r) => [key(r.metric), Number(r.value[1])]));
    expect(d.size).toBeGreaterThan(50);
    expect([...t.keys()].filter((k) => !d.has(k))).toEqual([]);
    expect([...d.keys()].filter((k) => !t.has(k))).toEqual([]);
    const get = (m: Map<string, number>, name: string, extra: Record<string, string> = {}) =>
      [...m.entries()].filter(([k]) => {
        const o = Object.fromEntries(JSON.parse(k) as [string, string][]);
        return o.__name__ === name && Object.entries(extra).every(([a, b]) => o[a] === b);
      }).map(([, v]) => v);
    for (const n of ['node_memory_MemTotal_bytes', 'node_boot_time_seconds', 'up']) expect(get(t, n)).toEqual(get(d, n));
    const [td] = get(t, 'node_time_seconds');
    const [dd] = get(d, 'node_time_seconds');
    expect(Math.abs(td! - dd!)).toBeLessThanOrEqual(2);
    const cpuD = get(d, 'node_cpu_seconds_total', { mode: 'idle' }).reduce((a, b) => a + b, 0);
    const cpuT = get(t, 'node_cpu_seconds_total', { mode: 'idle' }).reduce((a, b) => a + b, 0);
    expect(Math.abs(cpuD - cpuT)).toBeLessThanOrEqual(2 * 2 * 1.5); // cores x interval x slack
  });
});
