// Rule files as Prometheus reads them: the same messages as promtool 2.42 for every invalid rule,
// and telemd's positions at the offending place in the file (inside expressions too).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatFileIssue, parseRuleFile, validateRuleGroups } from '../../src/alerting/rulefmt.js';
import { fingerprint, fingerprintBig } from '../../src/alerting/fingerprint.js';
import { havePromtool, promtoolCheck } from './promtool.js';

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'alerts-invalid-rules.yml');
const text = readFileSync(FIXTURE, 'utf8');

describe('rule files', () => {
  it('reports every problem at its file:line:col', () => {
    const r = parseRuleFile('bad.yml', text);
    expect(r.errors.map(formatFileIssue)).toEqual([
      'bad.yml:8:43: group "ok", rule 2, "B": could not parse expression: 1:33: parse error: unclosed left parenthesis',
      'bad.yml:9:13: group "ok", rule 3, "bad name": invalid field \'annotations\' in recording rule',
      'bad.yml:9:13: group "ok", rule 3, "bad name": invalid recording rule name: bad name',
      'bad.yml:16:34: group "ok", rule 4, "C": could not parse expression: 3:28: parse error: unexpected identifier "bar" in grouping opts, expected "," or ")"',
      'bad.yml:19:14: group "ok", rule 5, "D": invalid label name: __name__',
      'bad.yml:20:26: group "ok", rule 5, "D": annotation "s": template: __alert_D:1: function "humanise" not defined',
      'bad.yml:22:13: group "ok", rule 6, "E": only one of \'record\' and \'alert\' must be set',
      'bad.yml:24:5: group "ok", rule 7, "": one of \'record\' or \'alert\' must be set',
      'bad.yml:28:3: groupname: "ok" is repeated in the same file',
    ]);
    // The valid rule in the file is still read.
    expect(r.groups[0]!.rules.map((x) => x.name)).toEqual(['A', 'G']);
  });

  (havePromtool ? it : it.skip)('with the messages promtool gives for the same file', () => {
    const p = promtoolCheck(text);
    expect(p.ok).toBe(false);
    const strip = (l: string) => l.replace(/^\S+?:\s(?:\d+:\d+: )*/, '').trim();
    const theirs = p.output.split('\n').filter((l) => /group|groupname/.test(l)).map(strip);
    const ours = parseRuleFile('bad.yml', text).errors.map((e) => e.message);
    expect(ours).toEqual(theirs);
  });

  it('points into quoted, folded and literal scalars', () => {
    const doc = `groups:
- name: g
  rules:
  - alert: Q
    expr: "sum(rate(x[5m])) by (job) >"
  - alert: F
    expr: >
      sum(rate(x[5m]))
      > bad(
  - alert: P
    expr: rate(x[5]) > 1
`;
    expect(parseRuleFile('r.yml', doc).errors.map(formatFileIssue)).toEqual([
      'r.yml:5:39: group "g", rule 1, "Q": could not parse expression: 1:28: parse error: unexpected end of input',
      'r.yml:9:9: group "g", rule 2, "F": could not parse expression: 1:20: parse error: unknown function with name "bad"',
      'r.yml:11:18: group "g", rule 3, "P": could not parse expression: 1:8: parse error: missing unit character in duration',
    ]);
  });

  it('takes inline rules: groups and bare rules, errors by path', () => {
    const r = validateRuleGroups([{ alert: 'X', expr: 'up == 0', for: '1m' }, { name: 'g2', interval: '30s', rules: [{ record: 'a:b', expr: 'sum(up)' }] }, { alert: 'Y', expr: 'up ==' }], { origin: 'inline', implicitGroup: 'inline' });
    expect(r.groups.map((g) => `${g.name}:${g.rules.map((x) => x.name).join(',')}:${g.intervalMs ?? '-'}`)).toEqual(['inline:X:-', 'g2:a:b:30000']);
    expect(r.issues).toHaveLength(1);
    expect(r.issues[0]!.path).toEqual([2, 'expr']);
    expect(r.issues[0]!.message).toMatch(/^group "inline", rule 2, "Y": could not parse expression: 1:6: parse error/);
  });
});

describe('fingerprints', () => {
  it('the fast FNV-1a agrees with the reference over many label sets', () => {
    for (let i = 0; i < 2000; i++) {
      const ls: Record<string, string> = { alertname: `A${i}` };
      for (let j = 0; j < (i % 7); j++) ls[`l${(i * 31 + j) % 13}`] = `v${'é€😀x'.slice(0, (i + j) % 5)}${i * j}`;
      expect(fingerprint(ls)).toBe(fingerprintBig(ls));
    }
    // Alertmanager 0.25 shows this fingerprint for these labels.
    expect(fingerprint({ alertname: 'Test', severity: 'warning', instance: 'a' })).toBe('ee9b96d634d7f5cd');
    expect(fingerprint({})).toBe('cbf29ce484222325');
  });
});
