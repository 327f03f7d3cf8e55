// Capabilities (MutatesData): fan-out copies a batch only for consumers that change it.
import { describe, expect, it } from 'vitest';
import { consumerOf, type Consumer } from '../../src/component/consumer.js';
import { factories } from '../../src/registry.js';
import { ParseContext } from '../../src/config/schema.js';
import { fanout } from '../../src/service/fanout.js';
import { SIGNALS } from '../../src/pdata/types.js';
import { inprocAgents, logsData } from '../helpers/inproc.js';
import { testSettings } from '../helpers/settings.js';

type Batch = { n: number };

function recorder(): { c: Consumer<Batch>; seen: Batch[] } {
  const seen: Batch[] = [];
  return { c: consumerOf<Batch>((b) => void seen.push(b)), seen };
}

describe('fanout by capabilities', () => {
  it('readers share the original; a mutator beside them gets a copy', async () => {
    const [a, b, m] = [recorder(), recorder(), recorder()];
    const data = { n: 1 };
    await fanout([a.c, m.c, b.c], [false, true, false]).consume(data);
    expect(a.seen[0]).toBe(data);
    expect(b.seen[0]).toBe(data);
    expect(m.seen[0]).not.toBe(data);
    expect(m.seen[0]).toEqual(data);
  });

  it('only mutators: all but the last get copies', async () => {
    const [x, y] = [recorder(), recorder()];
    const data = { n: 2 };
    await fanout([x.c, y.c], [true, true]).consume(data);
    expect(x.seen[0]).not.toBe(data);
    expect(y.seen[0]).toBe(data);
  });

  it('only readers: nobody gets a copy', async () => {
    const [x, y, z] = [recorder(), recorder(), recorder()];
    const data = { n: 3 };
    await fanout([x.c, y.c, z.c], false).consume(data);
    expect([x.seen[0], y.seen[0], z.seen[0]]).toEqual([data, data, data]);
    expect(x.seen[0]).toBe(data);
    expect(z.seen[0]).toBe(data);
  });
});

const startInproc = inprocAgents();

describe('the graph copies per pipeline capabilities', () => {
  const config = (mutatesA: boolean, mutatesB: boolean, exporterMutates = false) => `
receivers:
  probe:
processors:
  touch/a:
    mutates: ${mutatesA}
  touch/b:
    mutates: ${mutatesB}
exporters:
  sink/a:
  sink/b:
  sink/c:
    mutates: ${exporterMutates}
service:
  pipelines:
    logs/a:
      receivers: [probe]
      processors: [touch/a]
      exporters: [sink/a]
    logs/b:
      receivers: [probe]
      processors: [touch/b]
      exporters: [sink/b, sink/c]
`;

  it('a receiver feeding two read-only pipelines hands both the same batch (no copy)', async () => {
    const { probes } = await startInproc(config(false, false));
    const batch = logsData('x');
    await probes.receivers.get('probe')!.consumers.logs!.consume(batch);
    expect(probes.sinks.get('sink/a')![0]!.data).toBe(batch);
    expect(probes.sinks.get('sink/b')![0]!.data).toBe(batch);
    expect(probes.sinks.get('sink/c')![0]!.data).toBe(batch);
  });

  it('a pipeline that mutates gets its own copy; the read-only one keeps the original', async () => {
    const { probes } = await startInproc(config(true, false));
    const batch = logsData('x');
    await probes.receivers.get('probe')!.consumers.logs!.consume(batch);
    const a = probes.sinks.get('sink/a')![0]!.data;
    expect(a).not.toBe(batch);
    expect(a).toEqual(batch);
    expect(probes.sinks.get('sink/b')![0]!.data).toBe(batch);
  });

  it('an exporter that mutates makes its pipeline a mutating one, and gets a copy beside a reader', async () => {
    const { probes } = await startInproc(config(false, false, true));
    const batch = logsData('x');
    await probes.receivers.get('probe')!.consumers.logs!.consume(batch);
    expect(probes.sinks.get('sink/a')![0]!.data).toBe(batch);
    // Pipeline b mutates (sink/c does): it gets a copy, which sink/b reads and sink/c gets copied again.
    const b = probes.sinks.get('sink/b')![0]!.data;
    const c = probes.sinks.get('sink/c')![0]!.data;
    expect(b).not.toBe(batch);
    expect(c).not.toBe(batch);
    expect(c).not.toBe(b);
  });

  it('the service view shows what each component declared', async () => {
    const { agent } = await startInproc(config(true, false, true));
    const nodes = agent.view.graph().nodes;
    const m = (key: string) => nodes.find((n) => n.key === key)?.mutatesData;
    expect(m('processor:touch/a@logs/a')).toBe(true);
    expect(m('processor:touch/b@logs/b')).toBe(false);
    expect(m('exporter:sink/c')).toBe(true);
    expect(m('exporter:sink/a')).toBe(false);
  });
});

describe('every processor declares whether it mutates', () => {
  // The audit: processors that change batches in place say so; those that only read say so too.
  const readOnly = new Set(['batch', 'memory_limiter', 'nop']);
  const minimal: Record<string, unknown> = {
    probabilistic_sampler: { sampling_percentage: 10 },
    rate_limit: { rate: 10 },
    attributes: { actions: [{ key: 'a', action: 'delete' }] },
    resource: { attributes: [{ key: 'a', action: 'delete' }] },
  };
  for (const f of factories) {
    if (f.kind !== 'processor') continue;
    it(`${f.type}`, async () => {
      const ctx = new ParseContext();
      const cfg = f.config.parse(minimal[f.type], ctx, []);
      expect(ctx.issues).toEqual([]);
      for (const signal of f.signals.filter((sg) => SIGNALS.includes(sg))) {
        const p = f.create(testSettings(f.type, 'processor'), cfg, signal, { consume: async () => {} });
        try {
          expect(p.capabilities, `${f.type} (${signal}) declares no capabilities`).toBeDefined();
          // A processor placed in a pipeline of its other signal (analysis twins) only passes data on.
          const twin = ['anomaly', 'forecast'].includes(f.type) ? signal !== 'metrics' : f.type === 'logpattern' ? signal !== 'logs' : false;
          expect(p.capabilities!.mutatesData).toBe(!readOnly.has(f.type) && !twin);
          if (!p.capabilities!.mutatesData && signal === 'logs') {
            // A claim of read-only is checked: the input is unchanged after it passed (and flushed).
            const input = logsData('a message', { 'host.name': 'h' });
            const before = structuredClone(input);
            const passed = p.consume(input);
            await p.shutdown();
            await passed;
            expect(input).toEqual(before);
          }
        } finally {
          await p.shutdown();
        }
      }
    });
  }
});
