import { describe, expect, it } from 'vitest';
import { parseExposition } from '../../src/prometheus/textparser.js';

const TEXT = `# HELP http_requests_total The total number of HTTP requests.
# TYPE http_requests_total counter
http_requests_total{method="post",code="200"} 1027 1395066363000
http_requests_total{method="post",code="400"}    3 1395066363000
# Escaping in label values:
msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9
metric_without_timestamp_and_labels 12.47
# TYPE rpc_duration_seconds summary
rpc_duration_seconds{quantile="0.5"} 4773
rpc_duration_seconds_sum 1.7560473e+07
rpc_duration_seconds_count 2693
# HELP http_request_duration_seconds A histogram of the request duration.
# TYPE http_request_duration_seconds histogram
http_request_duration_seconds_bucket{le="0.05"} 24054
http_request_duration_seconds_bucket{le="+Inf"} 144320
http_request_duration_seconds_sum 53423
http_request_duration_seconds_count 144320
weird NaN
inf_val +Inf
`;

describe('text format parser', () => {
  it('parses the 0.0.4 example from the Prometheus docs', () => {
    const f = parseExposition(TEXT, false);
    expect(f.map((x) => [x.name, x.type, x.samples.length])).toEqual([
      ['http_requests_total', 'counter', 2],
      ['msdos_file_access_time_seconds', 'unknown', 1],
      ['metric_without_timestamp_and_labels', 'unknown', 1],
      ['rpc_duration_seconds', 'summary', 3],
      ['http_request_duration_seconds', 'histogram', 4],
      ['weird', 'unknown', 1],
      ['inf_val', 'unknown', 1],
    ]);
    expect(f[0]!.samples[0]).toEqual({ name: 'http_requests_total', labels: [{ name: 'method', value: 'post' }, { name: 'code', value: '200' }], value: 1027, timestampMs: 1395066363000 });
    expect(f[0]!.help).toBe('The total number of HTTP requests.');
    expect(f[1]!.samples[0]!.labels).toEqual([{ name: 'path', value: 'C:\\DIR\\FILE.TXT' }, { name: 'error', value: 'Cannot find file:\n"FILE.TXT"' }]);
    expect(f[1]!.samples[0]!.value).toBe(1458255915);
    expect(f[5]!.samples[0]!.value).toBeNaN();
    expect(f[6]!.samples[0]!.value).toBe(Infinity);
  });

  it('parses OpenMetrics: counters without _total family names, UNIT, exemplars, float-second timestamps, EOF', () => {
    const om = `# TYPE foo counter
# UNIT foo seconds
# HELP foo Some help.
foo_total{a="b"} 17.0 1520879607.789 # {trace_id="0123456789abcdef0123456789abcdef"} 0.67 1520879602.890
foo_created{a="b"} 1520430000.123
# TYPE build info
build_info{version="1"} 1
# EOF
`;
    const f = parseExposition(om, true);
    expect(f.map((x) => [x.name, x.type, x.unit])).toEqual([['foo', 'counter', 'seconds'], ['build', 'info', '']]);
    expect(f[0]!.samples[0]).toMatchObject({ name: 'foo_total', value: 17, timestampMs: 1520879607789, exemplar: { value: 0.67, timestampMs: 1520879602890 } });
    expect(f[0]!.samples[1]!.name).toBe('foo_created');
    expect(() => parseExposition('# TYPE a gauge\na 1\n', true)).toThrow(/without # EOF/);
    expect(() => parseExposition('a 1\n# EOF\nb 2\n', true)).toThrow(/line 3: content after # EOF/);
  });

  it('reports the line of malformed input', () => {
    expect(() => parseExposition('ok 1\nbad{a="1" 2\n', false)).toThrow(/line 2: expected , or }/);
    expect(() => parseExposition('x one\n', false)).toThrow(/line 1: invalid number "one"/);
    expect(() => parseExposition('# TYPE x flute\n', false)).toThrow(/unknown metric type "flute"/);
    expect(() => parseExposition('x{a="b} 1\n', false)).toThrow(/unterminated/);
  });
});
