// Batches that use every field of the model, for codec round trips and comparisons.
import type { Attributes, LogsData, Metric, MetricsData, TracesData } from '../../src/pdata/types.js';

const tid = (n: number) => Uint8Array.from({ length: 16 }, (_, i) => (n * 7 + i) & 255);
const sid = (n: number) => Uint8Array.from({ length: 8 }, (_, i) => (n * 13 + i + 1) & 255);

export function allKindsAttrs(n = 0): Attributes {
  return {
    str: `value-${n} ünïcödé ✓`,
    bool: n % 2 === 0,
    int: BigInt(n) - 9007199254740993n,
    big: 9223372036854775807n,
    neg: -1n,
    dbl: n + 0.25,
    nan: NaN,
    inf: -Infinity,
    bytes: Uint8Array.from([0, 1, 2, 255]),
    arr: ['a', 1n, 2.5, true, null, [1n, ['deep']]],
    kv: { inner: 'x', nested: { n: 3n }, empty: {} },
    none: null,
  };
}

const resource = (n: number) => ({ attributes: { 'service.name': `svc-${n}`, ...allKindsAttrs(n) }, droppedAttributesCount: 2 });
const scope = { name: 'lib', version: '1.2.3', attributes: { 'scope.attr': 'v' }, droppedAttributesCount: 1 };

export function metricsFixture(n = 1): MetricsData {
  const t0 = 1700000000000000000n;
  return {
    resourceMetrics: Array.from({ length: n }, (_, r) => ({
      resource: resource(r),
      schemaUrl: 'https://opentelemetry.io/schemas/1.21.0',
      scopeMetrics: [
        {
          scope,
          schemaUrl: 'https://scope/schema',
          metrics: [
            { type: 'gauge', name: 'g', description: 'a gauge', unit: 'By', metadata: { m: 'x' },
              dataPoints: [
                { attributes: allKindsAttrs(r), startTimeUnixNano: t0, timeUnixNano: t0 + 1n, value: 1.5, flags: 1,
                  exemplars: [{ filteredAttributes: { f: 'y' }, timeUnixNano: t0, value: 3n, spanId: sid(r), traceId: tid(r) },
                              { timeUnixNano: t0, value: 2.5 }] },
                { attributes: {}, startTimeUnixNano: 0n, timeUnixNano: t0, value: -42n },
              ] },
            { type: 'sum', name: 's', aggregationTemporality: 2, isMonotonic: true,
              dataPoints: [{ attributes: { a: 'b' }, startTimeUnixNano: t0, timeUnixNano: t0 + 5n, value: 9223372036854775807n }] },
            { type: 'histogram', name: 'h', unit: 'ms', aggregationTemporality: 1,
              dataPoints: [{ attributes: { a: 'b' }, startTimeUnixNano: t0, timeUnixNano: t0 + 5n, count: 10, sum: 55.5,
                bucketCounts: [1, 2, 3, 4], explicitBounds: [0.5, 1, 10], min: 0.1, max: 20,
                exemplars: [{ timeUnixNano: t0 + 2n, value: 7.5, traceId: tid(9), spanId: sid(9) }] },
                { attributes: {}, startTimeUnixNano: t0, timeUnixNano: t0 + 5n, count: 0, bucketCounts: [], explicitBounds: [] }] },
            { type: 'exponentialHistogram', name: 'eh', aggregationTemporality: 2,
              dataPoints: [{ attributes: { a: 'c' }, startTimeUnixNano: t0, timeUnixNano: t0 + 5n, count: 12, sum: 100, scale: -3,
                zeroCount: 2, positive: { offset: -5, bucketCounts: [1, 0, 300] }, negative: { offset: 2, bucketCounts: [4] },
                flags: 1, min: -2, max: 99, zeroThreshold: 0.001,
                exemplars: [{ timeUnixNano: t0, value: 1n }] }] },
            { type: 'summary', name: 'sm',
              dataPoints: [{ attributes: {}, startTimeUnixNano: t0, timeUnixNano: t0 + 5n, count: 4, sum: 10,
                quantileValues: [{ quantile: 0, value: 1 }, { quantile: 0.5, value: 2 }, { quantile: 1, value: 5 }] }] },
            { type: 'empty', name: 'nothing' },
          ] as Metric[],
        },
      ],
    })),
  };
}

export function logsFixture(n = 1): LogsData {
  const t0 = 1700000000000000000n;
  const bodies = ['text body', 42n, 4.5, true, Uint8Array.from([9, 8]), ['x', 1n], { k: 'v', n: { m: [] } }, null];
  return {
    resourceLogs: Array.from({ length: n }, (_, r) => ({
      resource: resource(r),
      schemaUrl: 'https://opentelemetry.io/schemas/1.21.0',
      scopeLogs: [
        {
          scope,
          logRecords: bodies.map((body, i) => ({
            timeUnixNano: t0 + BigInt(i), observedTimeUnixNano: t0 + 100n, severityNumber: 9 + (i % 4), severityText: 'INFO',
            body, attributes: allKindsAttrs(i), droppedAttributesCount: i + 1, flags: 1, traceId: tid(i), spanId: sid(i),
            eventName: i === 0 ? 'my.event' : undefined,
          })).map((l) => { if (l.eventName === undefined) delete (l as { eventName?: string }).eventName; return l; }),
        },
      ],
    })),
  };
}

export function tracesFixture(n = 1, spansPer = 3): TracesData {
  const t0 = 1700000000000000000n;
  return {
    resourceSpans: Array.from({ length: n }, (_, r) => ({
      resource: resource(r),
      scopeSpans: [
        {
          scope,
          schemaUrl: 'https://scope/schema',
          spans: Array.from({ length: spansPer }, (_, i) => ({
            traceId: tid(r * 100 + i), spanId: sid(r * 100 + i), traceState: 'k=v', parentSpanId: sid(i + 1000), flags: 257,
            name: `op-${i}`, kind: (i % 6) as 0, startTimeUnixNano: t0 + BigInt(i), endTimeUnixNano: t0 + BigInt(i) + 1000n,
            attributes: allKindsAttrs(i), droppedAttributesCount: 1,
            events: [{ timeUnixNano: t0 + 5n, name: 'ev', attributes: { e: 1n }, droppedAttributesCount: 3 }],
            droppedEventsCount: 2,
            links: [{ traceId: tid(5), spanId: sid(5), traceState: 'a=b', attributes: { l: true }, droppedAttributesCount: 1, flags: 256 }],
            droppedLinksCount: 4,
            status: { code: 2, message: 'boom' },
          })),
        },
      ],
    })),
  };
}
