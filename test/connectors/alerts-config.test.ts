// The alerts connector's config: `telemd validate` reports rule errors at the rule file's own
// file:line:col (and inline rules at their place in the config), secrets stay out of
// print-config, and the stock rules are valid for promtool too.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/agent.js';
import { havePromtool, promtoolCheck } from '../alerting/promtool.js';
import { STOCK_RULES } from '../../connectors/alerts/stock-rules.js';
import { parseRuleFile } from '../../src/alerting/rulefmt.js';

function config(dir: string, connector: string): string {
  const path = join(dir, 'config.yaml');
  writeFileSync(
    path,
    `receivers:
  statsd:
connectors:
  alerts:
${connector}
exporters:
  debug:
service:
  pipelines:
    metrics: { receivers: [statsd], exporters: [alerts] }
    logs: { receivers: [alerts], exporters: [debug] }
`,
  );
  return path;
}

describe('alerts connector config', () => {
  it('validate: rule file errors at the rule file position, inline ones at the config position', async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'host.rules.yml'),
      `groups:
- name: host
  rules:
  - alert: Load
    expr: system_cpu_load_average_1m > on(
  - alert: Mem
    expr: up
    annotations:
      summary: '{{ humanise $value }}'
`,
    );
    const path = config(
      dir,
      `    rule_files: ['${dir}/*.rules.yml', '${dir}/missing.yml', '${dir}/none-*.yml']
    rules:
      - alert: Inline
        expr: up ==`,
    );
    const r = await runCli(['validate', '--config', path]);
    expect(r.code).toBe(78);
    const lines = r.stderr.trim().split('\n');
    expect(lines.find((l) => l.includes('"Load"'))).toMatch(new RegExp(`^${dir}/host.rules.yml:5:43: connector "alerts": group "host", rule 1, "Load": could not parse expression: 1:33: parse error: unclosed left parenthesis`));
    expect(lines.find((l) => l.includes('"Mem"'))).toMatch(new RegExp(`^${dir}/host.rules.yml:9:20: connector "alerts": group "host", rule 2, "Mem": annotation "summary": template: __alert_Mem:1: function "humanise" not defined`));
    expect(lines.find((l) => l.includes('missing.yml'))).toMatch(new RegExp(`^${path}:5:\\d+: connector "alerts": rule_files.1: cannot read ${dir}/missing.yml: no such file`));
    expect(lines.find((l) => l.includes('"Inline"'))).toMatch(new RegExp(`^${path}:8:15: connector "alerts": rules.0.expr: group "inline", rule 1, "Inline": could not parse expression: 1:6: parse error: unexpected end of input`));
    expect(r.stdout + r.stderr).toMatch(/none-\*\.yml" matches no file/);
  });

  it('print-config shows globs and inline rules as written, secrets redacted', async () => {
    const dir = tempDir();
    const path = config(
      dir,
      `    rules: [{ alert: A, expr: up == 0 }]
    alertmanager:
      endpoints: [http://127.0.0.1:9093]
      basic_auth: { username: ops, password: hunter2 }
    webhook:
      - url: http://127.0.0.1:9/hook
        authorization: { credentials: s3cret }`,
    );
    const r = await runCli(['print-config', '--config', path]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(/hunter2|s3cret/);
    expect(r.stdout).toMatch(/password: "?\[REDACTED\]"?/);
    expect(r.stdout).toMatch(/alert: A/);
  });

  (havePromtool ? it : it.skip)('stock rules are valid for promtool and for telemd alike', () => {
    const r = parseRuleFile('stock', STOCK_RULES);
    expect(r.errors).toEqual([]);
    const n = r.groups.reduce((s, g) => s + g.rules.length, 0);
    expect(promtoolCheck(STOCK_RULES).output).toContain(`SUCCESS: ${n} rules found`);
  });
});
