// Every component must survive shutdown() without start() (a failed start or reload calls it).
import { describe, expect, it } from 'vitest';
import { ParseContext } from '../../src/config/schema.js';
import { connectorCreate, connectorPairs, type Lifecycle } from '../../src/component/component.js';
import { factories } from '../../src/registry.js';
import { tempDir } from '../helpers/agent.js';
import { testSettings } from '../helpers/settings.js';

const dir = tempDir();
/** The least config each type needs to be created. */
const minimal: Record<string, unknown> = {
  'exporter/file': { path: `${dir}/out.jsonl` },
  'exporter/otlp': { endpoint: '127.0.0.1:1', tls: { insecure: true } },
  'exporter/otlphttp': { endpoint: 'http://127.0.0.1:1' },
  'exporter/prometheusremotewrite': { endpoint: 'http://127.0.0.1:1/api/v1/write' },
  'receiver/filelog': { include: [`${dir}/*.log`] },
  'receiver/prometheus': { config: { scrape_configs: [{ job_name: 'x', static_configs: [{ targets: ['127.0.0.1:1'] }] }] } },
  'receiver/otlp': { protocols: { http: { endpoint: '127.0.0.1:0' } } },
  'extension/file_storage': { directory: `${dir}/state` },
  'processor/probabilistic_sampler': { sampling_percentage: 10 },
  'processor/rate_limit': { rate: 10 },
  'processor/attributes': { actions: [{ key: 'a', action: 'delete' }] },
  'processor/resource': { attributes: [{ key: 'a', action: 'delete' }] },
  'extension/headers_setter': { headers: [{ key: 'a', value: 'b' }] },
};

describe('component lifecycle', () => {
  for (const f of factories) {
    it(`${f.kind} ${f.type}: shutdown without start settles`, async () => {
      const ctx = new ParseContext();
      const cfg = f.config.parse(minimal[`${f.kind}/${f.type}`], ctx, []);
      expect(ctx.issues, JSON.stringify(ctx.issues)).toEqual([]);
      const set = testSettings(f.type, f.kind);
      const sink = { consume: async () => {} };
      let c: Pick<Lifecycle, 'shutdown'>;
      if (f.kind === 'receiver') c = f.create(set, cfg, { metrics: sink, logs: sink, traces: sink });
      else if (f.kind === 'processor') c = f.create(set, cfg, f.signals[0]!, sink);
      else if (f.kind === 'exporter') c = f.create(set, cfg, f.signals);
      else if (f.kind === 'connector') {
        // Its first signal pair (the graph creates one instance per pair in use).
        const [from, to] = connectorPairs(f)[0]!;
        c = connectorCreate(f, from, to)!(set, cfg, { ...sink, pipelineIds: [], consumer: () => sink });
      } else c = f.create(set, cfg);
      await expect(Promise.race([c.shutdown(1000), new Promise((_, rej) => setTimeout(() => rej(new Error('hung')), 3000))])).resolves.toBeUndefined();
    });
  }
});
