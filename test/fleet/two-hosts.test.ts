// Two agents that say they are different hosts (OTEL_RESOURCE_ATTRIBUTES=host.name=…, as an
// operator would set it; the machine is the same) write hostmetrics into one real
// VictoriaMetrics by remote-write and are scraped by one real Prometheus. No processor adds
// anything: the host receivers' resources carry host.name and host.id, job/instance come from
// them, nothing collides, and target_info joins on (job, instance) in both backends.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgent, type Agent } from '../helpers/agent.js';
import { freePort } from '../helpers/ports.js';
import { until } from '../helpers/wait.js';
import { havePrometheus, startPrometheus, type RealPrometheus } from '../prometheus/helpers/real.js';
import { haveVictoria, startVictoria, type RealVictoria } from './helpers/victoria.js';

const HOSTS = ['alpha-1', 'beta-2'] as const;
const machineId = readFileSync('/etc/machine-id', 'utf8').trim();

function config(vm: string, scrapePort: number): string {
  return `
receivers:
  hostmetrics:
    collection_interval: 1s
    scrapers: { memory: , load: }
exporters:
  prometheusremotewrite:
    endpoint: ${vm}
    retry_on_failure: { initial_interval: 200ms, max_interval: 1s }
  prometheus:
    endpoint: 127.0.0.1:${scrapePort}
service:
  pipelines:
    metrics:
      receivers: [hostmetrics]
      exporters: [prometheusremotewrite, prometheus]
`;
}

describe.skipIf(!havePrometheus || !haveVictoria)('two hosts into one VictoriaMetrics and one Prometheus', () => {
  let vm: RealVictoria;
  let prom: RealPrometheus;
  const agents: Agent[] = [];

  beforeAll(async () => {
    vm = await startVictoria();
    const ports = [await freePort(), await freePort()];
    prom = await startPrometheus({
      scrapeConfigs: `  - job_name: agents\n    honor_labels: true\n    static_configs:\n      - targets: [${ports.map((p) => `'127.0.0.1:${p}'`).join(', ')}]\n`,
    });
    for (const [i, h] of HOSTS.entries())
      agents.push(await startAgent({ config: config(vm.writeUrl, ports[i]!), env: { OTEL_RESOURCE_ATTRIBUTES: `host.name=${h}` } }));
  }, 60_000);
  afterAll(async () => {
    const codes = [];
    for (const a of agents) codes.push(await a.stop());
    await prom?.stop();
    await vm?.stop();
    expect(codes).toEqual(HOSTS.map(() => 0));
  });

  /** Per-host series counts of one metric, once both hosts have all of theirs. */
  async function perHost(query: (q: string) => Promise<{ metric: Record<string, string>; value: [number, string] }[]>, metric: string, min: number) {
    return until(async () => {
      const r = await query(`count by (instance) (${metric})`);
      const m = Object.fromEntries(r.map((x) => [x.metric.instance ?? '', Number(x.value[1])]));
      return HOSTS.every((h) => m[h] && m[h] >= min) && m[HOSTS[0]] === m[HOSTS[1]] ? m : undefined;
    }, 40_000, `${metric} from both hosts`);
  }

  for (const backend of ['VictoriaMetrics', 'Prometheus'] as const) {
    it(`${backend}: each host has its own series, and target_info joins on (job, instance)`, async () => {
      const query = backend === 'VictoriaMetrics' ? vm.query : prom.query;
      const counts = await perHost(query, 'system_memory_usage_bytes', 3);
      // Nothing else: no series without an instance, none merged across hosts.
      const total = await query('count(system_memory_usage_bytes)');
      expect(Number(total[0]!.value[1])).toBe(counts[HOSTS[0]]! * 2);
      expect(await query('system_memory_usage_bytes{instance=""}')).toEqual([]);
      const load = await perHost(query, '{__name__=~"system_cpu_load_average_1m.*"}', 1);
      expect(load).toEqual({ [HOSTS[0]]: 1, [HOSTS[1]]: 1 });

      const info = await until(async () => {
        const r = await query('target_info');
        return HOSTS.every((h) => r.some((x) => x.metric.instance === h)) ? r : undefined;
      }, 30_000, 'target_info of both hosts');
      for (const h of HOSTS) {
        const mine = info.filter((x) => x.metric.instance === h);
        expect(mine).toHaveLength(1);
        expect(mine[0]!.metric).toMatchObject({ host_name: h, host_id: machineId });
      }
      // The join: every memory series finds its host's target_info, and takes host_id from it.
      const joined = await query('system_memory_usage_bytes * on (job, instance) group_left (host_name, host_id) target_info');
      expect(joined).toHaveLength(counts[HOSTS[0]]! * 2);
      for (const j of joined) {
        expect(j.metric.host_name).toBe(j.metric.instance);
        expect(j.metric.host_id).toBe(machineId);
      }
      const byHost = await query('count by (host_name) (system_memory_usage_bytes * on (job, instance) group_left (host_name) target_info)');
      expect(Object.fromEntries(byHost.map((x) => [x.metric.host_name, Number(x.value[1])]))).toEqual(counts);
    }, 90_000);
  }
});
