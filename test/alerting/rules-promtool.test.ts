// telemd's rule engine against the real Prometheus 2.42 (promtool test rules): the same alerts
// fire at the same evaluations, with the same labels and the same expanded annotations.
import { describe, expect, it } from 'vitest';
import { diffWithPromtool, havePromtool, type Series } from './promtool.js';

const d = havePromtool ? describe : describe.skip;
if (!havePromtool) console.warn('promtool (Debian package prometheus) is not installed: the differential rule tests are skipped');

function ramp(values: (number | null | 'stale')[]): (number | null | 'stale')[] {
  return values;
}

async function expectSame(rules: string, series: Series[], untilS: number, intervalS = 60): Promise<void> {
  const r = await diffWithPromtool(rules, series, { untilS, intervalS });
  const fired = [...r.ours.values()].reduce((n, a) => n + a.length, 0);
  expect(r.output, r.output).toMatch(/SUCCESS/);
  expect(r.ok).toBe(true);
  // A comparison where nothing ever fires proves little: every case fires at least once.
  expect(fired).toBeGreaterThan(0);
}

d('alerting rules, as Prometheus evaluates them', () => {
  it('for: pending, then firing; resolved; fires again as a new alert', async () => {
    await expectSame(
      `groups:
- name: g
  rules:
  - alert: High
    expr: m > 50
    for: 3m
    labels: {severity: page}
    annotations:
      summary: '{{ $labels.instance }} at {{ $value }} ({{ humanize $value }})'
`,
      [
        { series: 'm{instance="a"}', values: ramp([10, 60, 70, 80, 90, 95, 20, 20, 70, 70, 70, 70, 70, 10]) },
        { series: 'm{instance="b"}', values: ramp([60, 60, 60, 60, 60, 60, 60, 60, 60, 60, 60, 60, 60, 60]) },
      ],
      13 * 60,
    );
  });

  it('keep_firing_for, and a series that goes stale', async () => {
    await expectSame(
      `groups:
- name: g
  rules:
  - alert: Flappy
    expr: m > 1
    for: 1m
    keep_firing_for: 3m
    annotations: {v: '{{ printf "%.2f" $value }}'}
  - alert: Gone
    expr: n > 0
`,
      [
        { series: 'm{job="x"}', values: [2, 2, 2, 0, 2, 0, 0, 0, 0, 0, 2, 2, 2] },
        { series: 'n{job="y"}', values: [1, 1, 1, 'stale', null, null, 1, 1, 1, 1] },
      ],
      12 * 60,
    );
  });

  it('label templates that change with the value, several label sets, ALERTS and recording rules in order', async () => {
    await expectSame(
      `groups:
- name: rec
  rules:
  - record: job:m:sum
    expr: sum by (job) (m)
  - alert: JobHigh
    expr: job:m:sum > 100
    for: 1m
    labels:
      severity: '{{ if gt $value 150.0 }}critical{{ else }}warning{{ end }}'
    annotations:
      description: 'job {{ $labels.job }} sums {{ $value }}; instances: {{ range query "m" | sortByLabel "instance" }}{{ .Labels.instance }} {{ end }}'
  - alert: AnyFiring
    expr: count(ALERTS{alertstate="firing", alertname="JobHigh"}) > 0
`,
      [
        { series: 'm{job="a",instance="1"}', values: [50, 60, 70, 80, 90, 100, 40, 40, 40] },
        { series: 'm{job="a",instance="2"}', values: [40, 50, 60, 70, 80, 90, 40, 40, 40] },
        { series: 'm{job="b",instance="3"}', values: [200, 200, 200, 200, 200, 200, 200, 10, 10] },
      ],
      8 * 60,
    );
  });

  it('rate, absent and vector(1) style rules', async () => {
    await expectSame(
      `groups:
- name: g
  rules:
  - alert: ErrorsRising
    expr: rate(errors_total[5m]) > 0.05
    for: 2m
    annotations: {rate: '{{ $value | humanize }}/s'}
  - alert: MetricMissing
    expr: absent(heartbeat)
    for: 2m
  - alert: Always
    expr: vector(1)
    labels: {team: ops}
`,
      [
        { series: 'errors_total{svc="api"}', values: [0, 0, 1, 30, 60, 90, 120, 120, 120, 120, 120, 120, 120, 120] },
        { series: 'heartbeat', values: [1, 1, 1, 1, null, null, null, null, null, null, null, null, 1, 1] },
      ],
      13 * 60,
    );
  });
});
