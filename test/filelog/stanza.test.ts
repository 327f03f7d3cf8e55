import { describe, expect, it } from 'vitest';
import { buildPipeline, buildSeverityMapper, buildTimeParser, logsByResource, type Entry } from '../../src/stanza/index.js';
import { goToStrptime } from '../../src/stanza/timestamp.js';

function entry(body: string): Entry {
  return { record: { timeUnixNano: 0n, observedTimeUnixNano: 1n, severityNumber: 0, body, attributes: {} } };
}
function run(ops: unknown[], body: string): Entry {
  const { pipeline, errors } = buildPipeline(ops);
  expect(errors).toEqual([]);
  const e = entry(body);
  pipeline.process(e);
  return e;
}
const ns = (iso: string) => BigInt(Date.parse(iso)) * 1_000_000n;

describe('stanza operators', () => {
  it('syslog_parser RFC 5424 with structured data, fractional time and severity', () => {
    const e = run(
      [{ type: 'syslog_parser', protocol: 'rfc5424' }],
      '<165>1 2026-11-22T03:04:05.123456+01:00 host1 app 4242 ID47 [exampleSDID@32473 iut="3" eventSource="App"] hello world',
    );
    expect(e.record.attributes).toMatchObject({
      priority: 165n,
      facility: 20n,
      severity: 5n,
      hostname: 'host1',
      appname: 'app',
      proc_id: '4242',
      msg_id: 'ID47',
      structured_data: { 'exampleSDID@32473': { iut: '3', eventSource: 'App' } },
      message: 'hello world',
    });
    expect(e.record.timeUnixNano).toBe(ns('2026-11-22T02:04:05.123Z') + 456_000n);
    expect(e.record.severityNumber).toBe(10);
    expect(e.record.severityText).toBe('notice');
  });

  it('syslog_parser RFC 3164 (no year: this year, or last year if in the future)', () => {
    const e = run([{ type: 'syslog_parser', protocol: 'rfc3164' }], '<34>Oct  5 22:14:15 mymachine su[123]: su root failed');
    expect(e.record.attributes).toMatchObject({ hostname: 'mymachine', appname: 'su', proc_id: '123', message: 'su root failed' });
    expect(e.record.severityNumber).toBe(18);
    const t = new Date(Number(e.record.timeUnixNano / 1_000_000n));
    expect([t.getUTCMonth(), t.getUTCDate(), t.getUTCHours()]).toEqual([9, 5, 22]);
    expect(Number(e.record.timeUnixNano / 1_000_000n)).toBeLessThan(Date.now() + 86_400_000);
  });

  it('regex_parser with Go-style named groups, timestamp and custom severity mapping', () => {
    const e = run(
      [
        {
          type: 'regex_parser',
          regex: '^(?P<time>\\S+ \\S+) \\[(?P<sev>\\w+)\\] (?P<msg>.*)$',
          timestamp: { parse_from: 'attributes.time', layout_type: 'gotime', layout: '2006-01-02 15:04:05.000' },
          severity: { parse_from: 'attributes.sev', mapping: { error: ['E', 'oops'], warn: 'W' } },
        },
      ],
      '2026-11-22 03:04:05.250 [oops] disk full',
    );
    expect(e.record.attributes).toMatchObject({ msg: 'disk full', sev: 'oops' });
    expect(e.record.timeUnixNano).toBe(ns('2026-11-22T03:04:05.250Z'));
    expect(e.record.severityNumber).toBe(17);
    expect(e.record.severityText).toBe('oops');
  });

  it('key_value_parser with quotes; add, copy, remove; resource fields', () => {
    const e = run(
      [
        { type: 'key_value_parser' },
        { type: 'add', field: 'resource["service.name"]', value: 'shop' },
        { type: 'copy', from: 'attributes.user', to: 'attributes.who' },
        { type: 'remove', field: 'attributes.noise' },
        { type: 'move', from: 'attributes.msg', to: 'body' },
      ],
      'user=ann msg="logged in ok" noise=1',
    );
    expect(e.record.attributes).toEqual({ user: 'ann', who: 'ann' });
    expect(e.record.body).toBe('logged in ok');
    expect(e.resource).toEqual({ 'service.name': 'shop' });
  });

  it('epoch and strptime timestamps, time zones by location', () => {
    const ep = buildTimeParser('epoch', 's.ms');
    expect(typeof ep === 'string' ? ep : ep.parse('1795317268.123')).toBe(1795317268123000000n);
    const ms = buildTimeParser('epoch', 'ms');
    expect(typeof ms === 'string' ? ms : ms.parse(1795317268123)).toBe(1795317268123000000n);
    const berlin = buildTimeParser('strptime', '%d/%b/%Y:%H:%M:%S', 'Europe/Berlin');
    expect(typeof berlin === 'string' ? berlin : berlin.parse('22/Nov/2026:10:00:00')).toBe(ns('2026-11-22T09:00:00Z'));
    const z = buildTimeParser('strptime', '%d/%b/%Y:%H:%M:%S %z');
    expect(typeof z === 'string' ? z : z.parse('10/Oct/2000:13:55:36 -0700')).toBe(ns('2000-10-10T20:55:36Z'));
    expect(goToStrptime('Jan _2 15:04:05')).toBe('%b %e %H:%M:%S');
    expect(buildTimeParser('epoch', 'minutes')).toMatch(/epoch layout must be one of/);
    expect(buildTimeParser('strptime', '%Q')).toMatch(/unsupported directive %Q/);
  });

  it('severity: default words, HTTP status ranges', () => {
    const m = buildSeverityMapper({ error: '5xx', warn: { min: 400, max: 499 }, info: ['2xx'] }, 'default');
    if (typeof m === 'string') throw new Error(m);
    expect([m.map('WARNING'), m.map('err'), m.map(503), m.map('404'), m.map(200), m.map('bogus')]).toEqual([13, 17, 17, 13, 9, undefined]);
  });

  it('on_error drop drops; bad configs are explained', () => {
    const { pipeline } = buildPipeline([{ type: 'json_parser', on_error: 'drop' }]);
    expect(pipeline.process(entry('nope'))).toBe(2);
    const { errors } = buildPipeline([
      { type: 'regex_parser', regex: '(' },
      { type: 'regex_parser', regex: 'no groups' },
      { type: 'move', from: 'nowhere.x', to: 'body' },
      { type: 'json_parser', parse_form: 'body' },
      { type: 'severity_parser', mapping: { loud: 'x' } },
    ]);
    expect(errors.join('\n')).toMatch(/invalid regex/);
    expect(errors.join('\n')).toMatch(/needs at least one named group/);
    expect(errors.join('\n')).toMatch(/must start with body, attributes or resource/);
    expect(errors.join('\n')).toMatch(/did you mean "parse_from"/);
    expect(errors.join('\n')).toMatch(/unknown level "loud"/);
  });

  it('logsByResource: one resource without operator resources, else one per distinct resource over the static one', () => {
    const recs = ['a', 'b', 'c', 'd'].map((b) => entry(b).record);
    const base = { host: 'h' };
    const one = logsByResource(recs, undefined, base, 's');
    expect(one.resourceLogs).toHaveLength(1);
    expect(one.resourceLogs[0]!.resource.attributes).toEqual(base);
    expect(one.resourceLogs[0]!.resource.attributes).not.toBe(base);
    expect(one.resourceLogs[0]!.scopeLogs[0]!.scope.name).toBe('s');
    expect(logsByResource(recs, [undefined, undefined, undefined, undefined], base, 's').resourceLogs).toHaveLength(1);

    const split = logsByResource(recs, [{ svc: 'x', n: 1n }, undefined, { svc: 'x', n: 1n }, { host: 'other' }], base, 's');
    const got = split.resourceLogs.map((r) => [r.resource.attributes, r.scopeLogs[0]!.logRecords.map((l) => l.body)]);
    expect(got).toEqual([
      [{ host: 'h', svc: 'x', n: 1n }, ['a', 'c']],
      [{ host: 'h' }, ['b']],
      [{ host: 'other' }, ['d']],
    ]);
  });
});
