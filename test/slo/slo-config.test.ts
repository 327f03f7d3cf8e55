// The slo connector's config: bad expressions refused with positions, the generated burn-rate
// rules valid for the alerts connector, the ledger's budget arithmetic and its round trip.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ParseContext } from '../../src/config/schema.js';
import { checkRuleGroups } from '../../src/alerting/providers.js';
import { configSchema, validate } from '../../connectors/slo/config.js';
import { SloEngine } from '../../connectors/slo/engine.js';
import { Ledger } from '../../connectors/slo/ledger.js';
import { runCli, ROOT } from '../helpers/agent.js';
import { testSettings } from '../helpers/settings.js';

const parse = (raw: unknown) => {
  const ctx = new ParseContext();
  const cfg = configSchema.parse(raw, ctx);
  return { cfg, ctx };
};

describe('slo config', () => {
  it('refuses unparsable and unsupported SLI expressions, other templates, a range result, at their keys', () => {
    const { ctx } = parse({
      objectives: [
        { name: 'a', target: 99, sli: { error: 'sum(rate(x[{{.window}}])', total: 'sum(rate(y[{{.window}}]))' } },
        { name: 'b', target: 99, sli: { error: 'rate(x[{{.window}}])', total: 'y[{{.window}}]' } },
        { name: 'c', target: 99, sli: { error: 'sum(rate(x[{{.range}}]))', total: 'histogram_fraction(0, 1, y)' } },
      ],
    });
    const msgs = ctx.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(msgs.find((m) => m.startsWith('objectives.0.sli.error: could not parse expression (with {{.window}} = 5m): 1:'))).toBeDefined();
    expect(msgs.find((m) => m.startsWith('objectives.1.sli.total: the expression gives a range vector'))).toBeDefined();
    expect(msgs.find((m) => m.startsWith('objectives.2.sli.error: {{.range}} at offset 11: only {{.window}}'))).toBeDefined();
    expect(msgs.find((m) => m.startsWith('objectives.2.sli.total: could not parse expression'))).toBeDefined();
    expect(msgs.filter((m) => m.startsWith('objectives.0.sli.total') || m.startsWith('objectives.1.sli.error'))).toEqual([]);
  });

  it('telemd validate points at the file:line:col of a bad expression and of a malformed probe id', async () => {
    const dir = (await import('../helpers/agent.js')).tempDir('telemd-slo-');
    const path = join(dir, 'c.yaml');
    (await import('node:fs')).writeFileSync(
      path,
      `receivers:\n  nop:\nconnectors:\n  slo:\n    objectives:\n      - name: x\n        target: 99\n        sli:\n          error: 'sum(rate(e[{{.window}}])'\n          total: 'sum(rate(t[{{.window}}]))'\n      - {name: y, target: 120, probe: 'web site'}\nexporters:\n  nop:\nservice:\n  pipelines:\n    metrics: {receivers: [nop], exporters: [slo]}\n    metrics/slo: {receivers: [slo], exporters: [nop]}\n`,
    );
    const r = await runCli(['validate', '--config', path]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/c\.yaml:9:18: .*could not parse expression .*1:\d+: parse error/);
    expect(r.stderr).toMatch(/c\.yaml:11:\d+: .*target 120/);
    expect(r.stderr).toMatch(/c\.yaml:11:\d+: .*probe "web site": expected the id of an httpcheck or tcpcheck receiver/);
  });

  it('needs sli or probe, one of them, unique names', () => {
    const { cfg, ctx } = parse({ objectives: [{ name: 'a', target: 99 }, { name: 'a', target: 99, probe: 'httpcheck', sli: { error: 'sum(x)', total: 'sum(y)' } }] });
    expect(ctx.issues).toEqual([]);
    const v = validate(cfg);
    expect(v).toContain('objectives[0] (a): needs sli: {error, total} or probe: <receiver id>');
    expect(v).toContain('objectives[1] (a): sli and probe are exclusive');
    expect(v).toContain('objectives[1] (a): name "a" is used twice');
  });

  it('generates valid rule groups with the windows scaled to the objective window', () => {
    const { cfg, ctx } = parse({ evaluation_interval: '1s', objectives: [{ name: 'web', target: 99, window: '12h', probe: 'httpcheck/web', labels: { team: 'ops' } }] });
    expect(ctx.issues).toEqual([]);
    const e = new SloEngine(testSettings('slo', 'connector'), cfg);
    const groups = e.ruleGroups();
    expect(checkRuleGroups('slo', groups)).toEqual([]);
    const rules = groups[0]!.rules as { expr: string; labels: Record<string, string> }[];
    // 12h = 30d / 60: 1h -> 1m, 5m -> 5s, 6h -> 6m, 30m -> 30s, 3d -> 1h12m
    expect(rules.map((r) => [r.labels.severity, r.labels.long_window, r.labels.short_window])).toEqual([
      ['page', '1m', '5s'],
      ['page', '6m', '30s'],
      ['ticket', '1h12m', '6m'],
    ]);
    expect(rules[0]!.expr).toBe('max without (window) (slo_burn_rate{slo="web",window="1m"}) > 14.4 and max without (window) (slo_burn_rate{slo="web",window="5s"}) > 14.4');
    expect(rules[0]!.labels).toEqual({ team: 'ops', slo: 'web', severity: 'page', long_window: '1m', short_window: '5s' });
    expect(e.status()[0]!.windows.map((w) => w.window)).toEqual(['5s', '30s', '1m', '2m', '6m', '24m', '1h12m']);
  });

  it('config/examples/health-slo.yaml validates', async () => {
    const path = join(ROOT, 'config', 'examples', 'health-slo.yaml');
    expect(readFileSync(path, 'utf8')).toContain('slo:');
    const r = await runCli(['validate', '--config', path]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});

describe('slo ledger', () => {
  it('sums windows, prunes to the objective window and round-trips through JSON', () => {
    const l = new Ledger(1000, 60_000);
    const t0 = 1_000_000;
    for (let i = 0; i < 120; i++) l.add(t0 + i * 1000 + 500, i >= 100 && i < 110 ? 1 : 0, 1);
    const now = t0 + 119_999;
    const [w10, w30] = l.windowSums(now, [10_000, 30_000]);
    expect(w10).toMatchObject({ e: 0, t: 10 });
    expect(w30).toMatchObject({ e: 10, t: 30 });
    l.prune(now);
    expect(l.size).toBe(61);
    l.breach(now, 3000);
    l.breach(now + 1000, 3000);
    const copy = new Ledger(1000, 60_000);
    copy.load(JSON.parse(JSON.stringify(l.toJson())));
    expect(copy.sums(0, Infinity)).toEqual(l.sums(0, Infinity));
    expect(copy.breaches).toEqual([[now, now + 1000]]);
    // Re-bucketed into 10 s buckets when the window changed.
    const coarse = new Ledger(10_000, 600_000);
    coarse.load(l.toJson());
    expect(coarse.sums(0, Infinity)).toMatchObject({ e: 10, t: 61 });
  });
});
