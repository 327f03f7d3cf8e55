// Alert templates against the real Prometheus 2.42: every annotation below is expanded by
// telemd and by promtool over the same alert (several values, labels), and must be identical.
// Plus unit checks of Go's number formatting and of template errors.
import { describe, expect, it } from 'vitest';
import { diffWithPromtool, havePromtool } from './promtool.js';
import { formatFloat } from '../../src/alerting/gofmt.js';
import { goSprintf, parseAlertTemplate, expandAlertTemplate, TemplateError } from '../../src/alerting/template.js';

const ANNOTATIONS = `
        a1: '{{ $value }}|{{ humanize $value }}|{{ humanize1024 $value }}|{{ humanizeDuration $value }}|{{ humanizePercentage 0.1234 }}|{{ humanizeTimestamp 1700000000.5 }}'
        a2: '[{{ $labels.nothere }}]|{{ $labels.instance }}|{{ printf "%.2f" $value }}|{{ printf "%d" 3 }}|{{ printf "%s" $value }}|{{ printf "%v %q" $labels.job "x" }}'
        a3: '{{ humanize 0.000123 }}|{{ humanize 1234567 }}|{{ humanize 0 }}|{{ humanizeDuration 0.0012 }}|{{ humanizeDuration 90061 }}|{{ humanizeDuration 59.95 }}'
        a4: '{{ reReplaceAll "(.*):(.*)" "$2x${1}" "a:b" }}|{{ title "hello world-foo" }}|{{ stripPort "h:90" }}|{{ stripDomain "foo.bar.com:90" }}|{{ toUpper "a" }}|{{ match "^a" "abc" }}'
        a5: '{{ range sortByLabel "instance" (query "m") }}{{ .Labels.instance }}={{ .Value }};{{ end }}|{{ with query "m" | sortByLabel "job" }}{{ . | first | value | humanize }}{{ end }}|{{ len "héllo" }}|{{ index $labels "instance" }}|[{{ index $labels "zz" }}]'
        a6: '{{ printf "%5.1f|%-5s|%05d|%x|%e|%g|%G" 3.14159 "ab" 42 255 123456.789 0.00001234 1e21 }}|{{ 1e6 }}|{{ 123456789.0 }}|{{ 0.1 }}|{{ 100000.0 }}|{{ 3 }}|{{ printf "%.0f %.2f %.1f" 2.5 0.125 0.25 }}'
        a7: '{{ printf "%d" 1.5 }}|{{ printf "%s" }}|{{ printf "a" 1 }}|{{ and 1 0 }}|{{ or 0 "" "x" }}|{{ not 0 }}|{{ eq "a" "b" "a" }}|{{ $externalURL }}|{{ toTime 1700000000 }}|{{ parseDuration "1h30m" }}'
        a8: '{{ $x := 1 }}{{ range $i, $v := sortByLabel "instance" (query "m") }}{{ $i }}:{{ $v.Value }}{{ end }}{{ if eq $labels.job "j" }}J{{ else if eq $labels.job "k" }}K{{ end }}{{- "  trimmed  " -}}  end'
        a9: '{{ humanize "1234" }}|{{ humanize1024 1048576 }}|{{ humanize -0.5 }}|{{ humanizeDuration -3700 }}|{{ printf "%v" $labels }}'
`;

const RULES = `groups:
- name: g
  rules:
  - alert: T
    expr: m > 0
    labels:
      sev: '{{ if gt $value 100.0 }}critical{{ else }}warning{{ end }}'
      tier: '{{ $labels.job | toUpper }}'
    annotations:${ANNOTATIONS}`;

const d = havePromtool ? describe : describe.skip;

d('templates as Prometheus expands them', () => {
  for (const [name, values] of [
    ['a large value', [12345.678, 12345.678]],
    ['a small value', [0.000456, 0.000456]],
    ['a round value, then huge', [100, 3.5e21]],
    ['negative', [-0.5, -73.25]],
  ] as const)
    it(`${name}`, async () => {
      const r = await diffWithPromtool(RULES, [
          // Prometheus' `query` lists series in no fixed order (telemd: by labels); the
          // templates sort them with sortByLabel.
          { series: 'm{instance="db.example.com:5432",job="k"}', values: [...values].map((v) => Math.abs(v) + 1) },
          { series: 'm{instance="h1:9100",job="j"}', values: [...values] },
        ], { untilS: 60 });
      expect(r.output, r.output).toMatch(/SUCCESS/);
      expect([...r.ours.values()].flat().length).toBeGreaterThan(0);
    });
});

describe('Go number formatting', () => {
  it('matches strconv.FormatFloat, ties rounded to even', () => {
    const cases: [number, 'e' | 'f' | 'g', number, string][] = [
      [0.125, 'f', 2, '0.12'],
      [0.375, 'f', 2, '0.38'],
      [2.5, 'f', 0, '2'],
      [3.5, 'f', 0, '4'],
      [1e21, 'g', -1, '1e+21'],
      [123456, 'g', -1, '123456'],
      [1234567, 'g', -1, '1.234567e+06'],
      [0.0001, 'g', -1, '0.0001'],
      [0.00001, 'g', -1, '1e-05'],
      [1234.5678, 'g', 4, '1235'],
      [12345, 'g', 4, '1.234e+04'],
      [15, 'e', -1, '1.5e+01'],
      [0, 'e', -1, '0e+00'],
      [-0, 'g', -1, '-0'],
      [NaN, 'g', 4, 'NaN'],
      [-Infinity, 'f', 2, '-Inf'],
      [5e-324, 'g', -1, '5e-324'],
      [1.7976931348623157e308, 'e', 3, '1.798e+308'],
    ];
    for (const [v, f, p, want] of cases) expect(`${v} ${f} ${p} ${formatFloat(v, f, p)}`).toBe(`${v} ${f} ${p} ${want}`);
  });
  it('printf flags and mistakes as Go prints them', () => {
    expect(goSprintf('%6.2f|%-4d|%+d|%x|%q', [3.14159, 7n, 3n, 255n, 'a"b'])).toBe('  3.14|7   |+3|ff|"a\\"b"');
    expect(goSprintf('%d %s', [1.5])).toBe('%!d(float64=1.5) %!s(MISSING)');
    expect(goSprintf('x', [1n, 'y'])).toBe('x%!(EXTRA int=1, string=y)');
  });
});

describe('template errors', () => {
  it('are refused when parsing, with the offset of the problem', () => {
    const bad = ['{{ humanise $value }}', '{{ if $value }}x', '{{ $nope }}', '{{ define "x" }}{{ end }}', '{{ .Labels.a | }}'];
    for (const t of bad) {
      let err: unknown;
      try {
        parseAlertTemplate('A', t);
      } catch (e) {
        err = e;
      }
      expect(err, t).toBeInstanceOf(TemplateError);
      expect((err as TemplateError).message).toMatch(/^template: __alert_A:1: /);
    }
  });
  it('fail at run time as Prometheus shows it in the annotation', async () => {
    const t = parseAlertTemplate('A', '{{ gt $value 1 }}');
    const r = await expandAlertTemplate(t, { labels: {}, externalLabels: {}, externalURL: '', value: 2 }, {});
    expect(r.error).toMatch(/incompatible types for comparison/);
    expect(r.text).toMatch(/^<error expanding template: /);
  });
});
