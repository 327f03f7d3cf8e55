// Proof by difference against the real Prometheus 2.42: rules are evaluated by telemd's rule
// engine over some series, and the alerts it finds firing (labels and expanded annotations) at
// every evaluation become the `exp_alerts` of a `promtool test rules` file over the same
// series. promtool passes only if Prometheus finds exactly those alerts.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { RuleGroup } from '../../src/alerting/group.js';
import { parseRuleFile } from '../../src/alerting/rulefmt.js';
import { MemoryQueryable, STALE_NAN } from '../../src/promql/index.js';

export const PROMTOOL = '/usr/bin/promtool';
export const havePromtool = existsSync(PROMTOOL);

export interface Series {
  /** `name{a="b"}` as promtool writes it. */
  series: string;
  /** One value per interval from t=0; null = no sample, 'stale' = a staleness marker. */
  values: (number | null | 'stale')[];
}

function parseSeries(s: string): Record<string, string> {
  const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?$/.exec(s.trim());
  if (!m) throw new Error(`bad series ${s}`);
  const out: Record<string, string> = { __name__: m[1]! };
  for (const p of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"/g)) out[p[1]!] = JSON.parse(`"${p[2]}"`) as string;
  return out;
}

export interface DiffResult {
  ok: boolean;
  output: string;
  /** telemd's firing alerts per evaluation time (seconds). */
  ours: Map<number, { alertname: string; labels: Record<string, string>; annotations: Record<string, string> }[]>;
}

/** Evaluates `rulesYaml` with telemd at every `intervalS` up to `untilS`, then asks promtool. */
export async function diffWithPromtool(rulesYaml: string, series: Series[], opts: { intervalS?: number; untilS: number; evalTimesS?: number[] }): Promise<DiffResult> {
  const interval = (opts.intervalS ?? 60) * 1000;
  const { groups, errors } = parseRuleFile('rules.yml', rulesYaml);
  if (errors.length) throw new Error(errors.map((e) => e.message).join('\n'));
  const store = new MemoryQueryable();
  for (const s of series) {
    const labels = parseSeries(s.series);
    s.values.forEach((v, i) => {
      if (v === null) return;
      store.append(labels, i * interval, v === 'stale' ? STALE_NAN : v);
    });
  }
  const rgs = groups.map(
    (g) =>
      new RuleGroup(g, {
        key: g.name,
        intervalMs: g.intervalMs ?? interval,
        externalLabels: {},
        externalURL: '',
        query: {},
        isWarm: () => true,
      }),
  );
  const alertNames = [...new Set(groups.flatMap((g) => g.rules.filter((r) => r.kind === 'alert').map((r) => r.name)))];
  const ours: DiffResult['ours'] = new Map();
  const evalTimes = new Set(opts.evalTimesS ?? Array.from({ length: Math.floor((opts.untilS * 1000) / interval) + 1 }, (_, i) => (i * interval) / 1000));
  for (let t = 0; t <= opts.untilS * 1000; t += interval) {
    for (const g of rgs) await g.evaluate(store, t);
    if (!evalTimes.has(t / 1000)) continue;
    const firing = rgs.flatMap((g) => g.alertingRules().flatMap((r) => [...r.active.values()].filter((a) => a.state === 'firing').map((a) => ({ alertname: r.name, labels: a.labels, annotations: a.annotations }))));
    ours.set(t / 1000, firing);
  }
  const fmt = (v: number | null | 'stale') => (v === null ? '_' : v === 'stale' ? 'stale' : Number.isNaN(v) ? 'NaN' : v === Infinity ? 'Inf' : v === -Infinity ? '-Inf' : String(v));
  const test = {
    rule_files: ['rules.yml'],
    evaluation_interval: `${interval / 1000}s`,
    tests: [
      {
        interval: `${interval / 1000}s`,
        input_series: series.map((s) => ({ series: s.series, values: s.values.map(fmt).join(' ') })),
        alert_rule_test: [...ours].flatMap(([t, firing]) =>
          alertNames.map((name) => ({
            eval_time: `${t}s`,
            alertname: name,
            exp_alerts: firing
              .filter((a) => a.alertname === name)
              .map((a) => {
                const { alertname: _drop, ...rest } = a.labels;
                return { exp_labels: rest, exp_annotations: a.annotations };
              }),
          })),
        ),
      },
    ],
  };
  const dir = mkdtempSync(join(tmpdir(), 'telemd-promtool-'));
  writeFileSync(join(dir, 'rules.yml'), rulesYaml);
  writeFileSync(join(dir, 'test.yml'), stringify(test));
  const r = spawnSync(PROMTOOL, ['test', 'rules', 'test.yml'], { cwd: dir, encoding: 'utf8' });
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}`, ours };
}

/** `promtool check rules` on a text: its exit status and output. */
export function promtoolCheck(text: string): { ok: boolean; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'telemd-promtool-'));
  writeFileSync(join(dir, 'rules.yml'), text);
  try {
    const out = execFileSync(PROMTOOL, ['check', 'rules', 'rules.yml'], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return { ok: true, output: out };
  } catch (e) {
    const x = e as { stdout?: string; stderr?: string };
    return { ok: false, output: `${x.stdout ?? ''}${x.stderr ?? ''}` };
  }
}
