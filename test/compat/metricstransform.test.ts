import { describe, expect, it } from 'vitest';
import { factory } from '../../processors/metricstransform/index.js';
import type { Metric, NumberDataPoint } from '../../src/pdata/types.js';
import { allMetrics, gauge, make, metrics, parseConfig, point } from '../processors/helpers.js';

const sum = (name: string, points: NumberDataPoint[]): Metric => ({ name, type: 'sum', aggregationTemporality: 2, isMonotonic: true, dataPoints: points, unit: 's' });

async function run(transforms: unknown[], ms: Metric[]): Promise<Metric[]> {
  const { p, sink } = await make(factory, { transforms }, 'metrics');
  await p.consume(metrics(ms, { 'host.name': 'a' }));
  return allMetrics(sink.batches);
}

const byName = (ms: Metric[], n: string) => ms.find((m) => m.name === n) as Extract<Metric, { type: 'sum' | 'gauge' }> | undefined;

describe('metricstransform', () => {
  it('update: renames the metric and a label, renames values, adds a label without overwriting', async () => {
    const out = await run(
      [{ include: 'system.cpu.time', action: 'update', new_name: 'cpu', operations: [
        { action: 'update_label', label: 'state', new_label: 'mode', value_actions: [{ value: 'idle', new_value: 'free' }] },
        { action: 'add_label', new_label: 'cpu', new_value: 'all' },
        { action: 'add_label', new_label: 'mode', new_value: 'never' },
      ] }],
      [sum('system.cpu.time', [point(1.5, { state: 'idle' }), point(2, { state: 'user' })]), gauge('other', [point(1)])],
    );
    expect(out.map((m) => m.name).sort()).toEqual(['cpu', 'other']);
    expect(byName(out, 'cpu')!.dataPoints.map((p) => p.attributes)).toEqual([{ mode: 'free', cpu: 'all' }, { mode: 'user', cpu: 'all' }]);
  });

  it('insert: adds an edited copy and leaves the original; regexp new_name expands groups', async () => {
    const out = await run(
      [{ include: '^system\\.(?P<what>\\w+)\\.usage$', match_type: 'regexp', action: 'insert', new_name: 'host.${what}.used',
        experimental_match_labels: { state: 'used' }, operations: [{ action: 'experimental_scale_value', experimental_scale: 0.5 }] }],
      [gauge('system.memory.usage', [point(100n, { state: 'used' }), point(50n, { state: 'free' })])],
    );
    expect(byName(out, 'system.memory.usage')!.dataPoints.map((p) => p.value)).toEqual([100n, 50n]);
    expect(byName(out, 'host.memory.used')!.dataPoints.map((p) => [p.attributes, p.value])).toEqual([[{ state: 'used' }, 50n]]);
  });

  it('aggregate_labels sums points that become equal (ints stay ints, times span the inputs); mean gives doubles', async () => {
    const out = await run(
      [
        { include: 'c', action: 'update', operations: [{ action: 'aggregate_labels', label_set: ['state'], aggregation_type: 'sum' }] },
        { include: 'g', action: 'update', operations: [{ action: 'aggregate_labels', label_set: [], aggregation_type: 'mean' }] },
      ],
      [
        sum('c', [point(1n, { state: 'a', cpu: '0' }, 5n, 1n), point(2n, { state: 'a', cpu: '1' }, 7n, 2n), point(4n, { state: 'b', cpu: '0' })]),
        gauge('g', [point(1n, { x: '1' }), point(2n, { x: '2' })]),
      ],
    );
    expect(byName(out, 'c')!.dataPoints).toEqual([
      { attributes: { state: 'a' }, startTimeUnixNano: 1n, timeUnixNano: 7n, value: 3n },
      expect.objectContaining({ attributes: { state: 'b' }, value: 4n }),
    ]);
    expect(byName(out, 'g')!.dataPoints.map((p) => p.value)).toEqual([1.5]);
  });

  it('aggregate_label_values merges the listed values into one; delete_label_value removes points', async () => {
    const out = await run(
      [{ include: 'mem', action: 'update', operations: [
        { action: 'aggregate_label_values', label: 'state', aggregated_values: ['slab_reclaimable', 'slab_unreclaimable'], new_value: 'slab', aggregation_type: 'sum' },
        { action: 'delete_label_value', label: 'state', label_value: 'free' },
      ] }],
      [gauge('mem', [point(1, { state: 'slab_reclaimable' }), point(2, { state: 'slab_unreclaimable' }), point(3, { state: 'used' }), point(4, { state: 'free' })])],
    );
    expect(byName(out, 'mem')!.dataPoints.map((p) => [p.attributes.state, p.value])).toEqual([['slab', 3], ['used', 3]]);
  });

  it('combine: matching metrics become one, their regexp groups labels; toggle_scalar_data_type flips int/double', async () => {
    const out = await run(
      [{ include: '^disk\\.(?P<direction>READ|WRITE)$', match_type: 'regexp', action: 'combine', new_name: 'disk.io', aggregation_type: 'sum', submatch_case: 'lower',
        operations: [{ action: 'toggle_scalar_data_type' }] }],
      [sum('disk.READ', [point(1n, { dev: 'sda' })]), sum('disk.WRITE', [point(2n, { dev: 'sda' })]), gauge('keep', [point(0)])],
    );
    expect(out.map((m) => m.name).sort()).toEqual(['disk.io', 'keep']);
    const io = byName(out, 'disk.io')!;
    expect(io.type).toBe('sum');
    expect(io.dataPoints.map((p) => [p.attributes, p.value])).toEqual([[{ dev: 'sda', direction: 'read' }, 1], [{ dev: 'sda', direction: 'write' }, 2]]);
  });

  it('combine of metrics of different types leaves them alone and logs once', async () => {
    const { p, sink, set } = await make(factory, { transforms: [{ include: '^x', match_type: 'regexp', action: 'combine', new_name: 'x', aggregation_type: 'sum' }] }, 'metrics');
    await p.consume(metrics([sum('x1', [point(1n)]), gauge('x2', [point(1n)])]));
    expect(allMetrics(sink.batches).map((m) => m.name)).toEqual(['x1', 'x2']);
    expect(set.lines.filter((l) => String(l.msg).includes('metricstransform')).length).toBe(1);
  });

  it('group moves the matches to a new resource with the given attributes', async () => {
    const { p, sink } = await make(factory, { transforms: [{ include: 'a', action: 'group', group_resource_labels: { team: 'db' } }] }, 'metrics');
    await p.consume(metrics([gauge('a', [point(1)]), gauge('b', [point(1)])], { 'host.name': 'h' }));
    const rms = sink.batches[0]!.resourceMetrics;
    expect(rms.map((r) => [r.resource.attributes, r.scopeMetrics[0]!.metrics.map((m) => m.name)])).toEqual([
      [{ 'host.name': 'h' }, ['b']],
      [{ 'host.name': 'h', team: 'db' }, ['a']],
    ]);
  });

  it('refuses incomplete transforms with the Collector\'s rules', () => {
    expect(() => parseConfig(factory, { transforms: [{ include: 'x', action: 'insert' }] })).toThrow(/needs new_name/);
    expect(() => parseConfig(factory, { transforms: [{ include: 'x', action: 'combine', new_name: 'y', aggregation_type: 'sum' }] })).toThrow(/match_type: regexp/);
    expect(() => parseConfig(factory, { transforms: [{ include: 'x', action: 'update', operations: [{ action: 'aggregate_labels', label_set: ['a'] }] }] })).toThrow(/"aggregation_type" is required/);
    expect(() => parseConfig(factory, { transforms: [{ include: '(', match_type: 'regexp', action: 'update' }] })).toThrow(/invalid regexp/);
  });
});
