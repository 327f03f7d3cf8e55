// Data through connectors in a real agent: forward, count and routing, acknowledgements across
// them, copies where a downstream pipeline mutates, and the graph the service view shows.
import { describe, expect, it } from 'vitest';
import { ConsumerError } from '../../src/component/consumer.js';
import type { LogsData, MetricsData, NumberDataPoint, SumMetric, TracesData } from '../../src/pdata/types.js';
import { inprocAgents, logsData } from '../helpers/inproc.js';

const startInproc = inprocAgents();

function logs(records: { body: string; attrs?: Record<string, string>; severity?: number }[], resource: Record<string, string> = {}): LogsData {
  return {
    resourceLogs: [
      {
        resource: { attributes: { ...resource } },
        scopeLogs: [
          {
            scope: { name: 't' },
            logRecords: records.map((r) => ({ timeUnixNano: 1n, observedTimeUnixNano: 1n, severityNumber: r.severity ?? 9, body: r.body, attributes: { ...(r.attrs ?? {}) } })),
          },
        ],
      },
    ],
  };
}

const bodies = (d: unknown): string[] => (d as LogsData).resourceLogs.flatMap((r) => r.scopeLogs.flatMap((s) => s.logRecords.map((l) => String(l.body))));

async function refusal(p: Promise<void>): Promise<ConsumerError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ConsumerError);
  return e as ConsumerError;
}

describe('forward', () => {
  const config = (refuse = 'none', mutates = false) => `
receivers:
  probe:
processors:
  touch:
    mutates: ${mutates}
exporters:
  sink/a:
  sink/b:
    refuse: ${refuse}
connectors:
  forward:
service:
  pipelines:
    logs/in:
      receivers: [probe]
      exporters: [sink/a, forward]
    logs/out:
      receivers: [forward]
      processors: [touch]
      exporters: [sink/b]
`;

  it('hands batches on; the upstream acknowledgement waits for the downstream pipeline', async () => {
    const { probes } = await startInproc(config());
    await probes.receivers.get('probe')!.consumers.logs!.consume(logsData('one'));
    expect(bodies(probes.sinks.get('sink/b')![0]!.data)).toEqual(['one']);
  });

  it('a retryable refusal downstream reaches the receiver as retryable', async () => {
    const { probes } = await startInproc(config('retryable'));
    const e = await refusal(probes.receivers.get('probe')!.consumers.logs!.consume(logsData('one')));
    expect(e.kind).toBe('retryable');
    // The other exporter of the upstream pipeline still got it (at-least-once).
    expect(probes.sinks.get('sink/a')).toHaveLength(1);
  });

  it('takes on what the pipelines it feeds do: a mutating one gets a copy, a read-only one the original', async () => {
    const ro = await startInproc(config('none', false));
    const b1 = logsData('x');
    await ro.probes.receivers.get('probe')!.consumers.logs!.consume(b1);
    expect(ro.probes.sinks.get('sink/b')![0]!.data).toBe(b1);
    expect(ro.probes.sinks.get('sink/a')![0]!.data).toBe(b1);

    const rw = await startInproc(config('none', true));
    const b2 = logsData('x');
    await rw.probes.receivers.get('probe')!.consumers.logs!.consume(b2);
    expect(rw.probes.sinks.get('sink/a')![0]!.data).toBe(b2);
    expect(rw.probes.sinks.get('sink/b')![0]!.data).not.toBe(b2);
    const node = rw.agent.view.graph().nodes.find((n) => n.key === 'connector:forward');
    expect(node).toMatchObject({ kind: 'connector', type: 'forward', pairs: [['logs', 'logs']], state: 'running' });
  });

  it('taps see what enters a connector, what it hands to each pipeline, and the exporter behind it', async () => {
    const { probes, agent } = await startInproc(config().replace('      processors: [touch]\n', ''));
    const taps = agent.view.taps;
    const tin = taps.attach({ kind: 'connector', id: 'forward', direction: 'in' });
    const tout = taps.attach({ kind: 'connector', id: 'forward', direction: 'out', pipeline: 'logs/out' });
    const texp = taps.attach({ kind: 'exporter', id: 'sink/b', direction: 'in' });
    const batch = logsData('seen');
    await probes.receivers.get('probe')!.consumers.logs!.consume(batch);
    for (const t of [tin, tout, texp]) {
      const evs = t.take();
      expect(evs).toHaveLength(1);
      expect(bodies(evs[0]!.data)).toEqual(['seen']);
      expect(evs[0]!.data).not.toBe(batch); // a copy
    }
    expect(tout.take()).toEqual([]);
  });

  it('the service view shows the connector between the pipelines', async () => {
    const { agent } = await startInproc(config());
    const { edges } = agent.view.graph();
    expect(edges).toContainEqual({ from: 'receiver:probe', to: 'exporter:sink/a', pipeline: 'logs/in', signal: 'logs' });
    expect(edges).toContainEqual({ from: 'receiver:probe', to: 'connector:forward', pipeline: 'logs/in', signal: 'logs' });
    expect(edges).toContainEqual({ from: 'connector:forward', to: 'processor:touch@logs/out', pipeline: 'logs/out', signal: 'logs' });
  });
});

describe('count', () => {
  const config = (refuse = 'none') => `
receivers:
  probe:
exporters:
  sink/logs:
  sink/counts:
    refuse: ${refuse}
connectors:
  count:
    logs:
      my.error.log.count:
        description: Error+ logs.
        conditions:
          - severity_number >= SEVERITY_NUMBER_ERROR
        attributes:
          - key: env
            default_value: unspecified_environment
      log.record.count:
        description: All logs.
service:
  pipelines:
    logs:
      receivers: [probe]
      exporters: [sink/logs, count]
    metrics:
      receivers: [count]
      exporters: [sink/counts]
`;

  it('counts records per resource, by condition and attribute, as delta sums', async () => {
    const { probes } = await startInproc(config());
    const batch = logs(
      [
        { body: 'a', severity: 17, attrs: { env: 'prod' } },
        { body: 'b', severity: 17, attrs: { env: 'prod' } },
        { body: 'c', severity: 17 },
        { body: 'd', severity: 9, attrs: { env: 'prod' } },
      ],
      { 'host.name': 'h1', env: 'ignored-resource-level-only-when-missing' },
    );
    const before = structuredClone(batch);
    await probes.receivers.get('probe')!.consumers.logs!.consume(batch);
    expect(batch).toEqual(before); // only read
    const out = probes.sinks.get('sink/counts')![0]!.data as MetricsData;
    expect(out.resourceMetrics).toHaveLength(1);
    expect(out.resourceMetrics[0]!.resource.attributes['host.name']).toBe('h1');
    const metrics = out.resourceMetrics[0]!.scopeMetrics[0]!.metrics as SumMetric[];
    const byName = Object.fromEntries(metrics.map((m) => [m.name, m]));
    expect(byName['log.record.count']!.dataPoints.map((p) => p.value)).toEqual([4n]);
    expect(byName['log.record.count']).toMatchObject({ type: 'sum', isMonotonic: true, aggregationTemporality: 1 });
    // `c` has no env on the record: found on the resource, as the Collector looks up scope then resource.
    const errs = byName['my.error.log.count']!.dataPoints.map((p: NumberDataPoint) => [p.attributes.env, p.value]);
    expect(errs.sort()).toEqual([
      ['ignored-resource-level-only-when-missing', 1n],
      ['prod', 2n],
    ]);
  });

  it('the default metrics when nothing is configured (traces: spans and span events)', async () => {
    const { probes } = await startInproc(`
receivers:
  probe:
exporters:
  sink:
connectors:
  count:
service:
  pipelines:
    traces:
      receivers: [probe]
      exporters: [count]
    metrics:
      receivers: [count]
      exporters: [sink]
`);
    const span = (n: number) => ({
      traceId: new Uint8Array(16).fill(1),
      spanId: new Uint8Array(8).fill(n),
      name: `s${n}`,
      kind: 1,
      startTimeUnixNano: 1n,
      endTimeUnixNano: 2n,
      attributes: {},
      events: n === 1 ? [{ timeUnixNano: 1n, name: 'e', attributes: {} }] : [],
      links: [],
      status: { code: 0 },
    });
    const td: TracesData = { resourceSpans: [{ resource: { attributes: {} }, scopeSpans: [{ scope: { name: 's' }, spans: [span(1), span(2), span(3)] }] }] };
    await probes.receivers.get('probe')!.consumers.traces!.consume(td);
    const m = (probes.sinks.get('sink')![0]!.data as MetricsData).resourceMetrics[0]!.scopeMetrics[0]!.metrics as SumMetric[];
    expect(m.map((x) => [x.name, x.dataPoints[0]!.value])).toEqual([
      ['trace.span.count', 3n],
      ['trace.span.event.count', 1n],
    ]);
  });

  it('the counted batch is refused when the counts are (retryable stays retryable)', async () => {
    const { probes } = await startInproc(config('retryable'));
    const e = await refusal(probes.receivers.get('probe')!.consumers.logs!.consume(logs([{ body: 'a' }])));
    expect(e.kind).toBe('retryable');
  });
});

describe('routing', () => {
  const config = (extra = '') => `
receivers:
  probe:
exporters:
  sink/acme:
  sink/errors:
  sink/other:
connectors:
  routing:
    default_pipelines: [logs/other]
${extra}
    table:
      - statement: route() where resource.attributes["tenant"] == "acme"
        pipelines: [logs/acme]
      - context: log
        condition: severity_number >= SEVERITY_NUMBER_ERROR
        pipelines: [logs/errors]
service:
  pipelines:
    logs:
      receivers: [probe]
      exporters: [routing]
    logs/acme:
      receivers: [routing]
      exporters: [sink/acme]
    logs/errors:
      receivers: [routing]
      exporters: [sink/errors]
    logs/other:
      receivers: [routing]
      exporters: [sink/other]
`;
  const all = (sinks: Map<string, { data: unknown }[]>, id: string) => (sinks.get(id) ?? []).flatMap((r) => bodies(r.data));

  it('routes whole resources first, then single records of what is left, the rest to the defaults', async () => {
    const { probes } = await startInproc(config());
    const batch: LogsData = {
      resourceLogs: [
        ...logs([{ body: 'acme-err', severity: 17 }, { body: 'acme-info' }], { tenant: 'acme' }).resourceLogs,
        ...logs([{ body: 'globex-err', severity: 17 }, { body: 'globex-info' }], { tenant: 'globex' }).resourceLogs,
      ],
    };
    await probes.receivers.get('probe')!.consumers.logs!.consume(batch);
    expect(all(probes.sinks, 'sink/acme')).toEqual(['acme-err', 'acme-info']);
    expect(all(probes.sinks, 'sink/errors')).toEqual(['globex-err']);
    expect(all(probes.sinks, 'sink/other')).toEqual(['globex-info']);
    // A resource split between two pipelines: each gets its own resource object.
    const e = probes.sinks.get('sink/errors')![0]!.data as LogsData;
    const o = probes.sinks.get('sink/other')![0]!.data as LogsData;
    expect(e.resourceLogs[0]!.resource).not.toBe(o.resourceLogs[0]!.resource);
    expect(e.resourceLogs[0]!.resource).toEqual(o.resourceLogs[0]!.resource);
  });

  it('match_once: false sends what matches several routes to each', async () => {
    const { probes } = await startInproc(config('    match_once: false'));
    await probes.receivers.get('probe')!.consumers.logs!.consume(logs([{ body: 'acme-err', severity: 17 }, { body: 'acme-info' }], { tenant: 'acme' }));
    expect(all(probes.sinks, 'sink/acme')).toEqual(['acme-err', 'acme-info']);
    expect(all(probes.sinks, 'sink/errors')).toEqual(['acme-err']);
    expect(all(probes.sinks, 'sink/other')).toEqual([]);
  });

  it('without defaults, what no route takes is dropped and counted; with a refusing route the batch is refused', async () => {
    const { probes, agent } = await startInproc(
      config().replace('    default_pipelines: [logs/other]\n', '').replace('  sink/errors:\n', '  sink/errors:\n    refuse: retryable\n'),
    );
    const c = probes.receivers.get('probe')!.consumers.logs!;
    await c.consume(logs([{ body: 'nobody' }], { tenant: 'x' }));
    const unrouted = agent.registry.values('telemd_connector_routing_unrouted_items_total').reduce((n, s) => n + s.value, 0);
    expect(unrouted).toBe(1);
    const e = await refusal(c.consume(logs([{ body: 'err', severity: 17 }], { tenant: 'x' })));
    expect(e.kind).toBe('retryable');
  });
});
