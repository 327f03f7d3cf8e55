// Hostile YAML (issue 12 "should fix"): alias bombs, undefined and recursive aliases, merge keys
// without an anchor, deep nesting. Each must be a config error (exit 78) with file:line:col and
// a sentence, never a crash (70), a stack overflow message or an internal class name.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/agent.js';

const laughs = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]']
  .concat(['b', 'c', 'd', 'e', 'f', 'g'].map((k, i) => `${k}: &${k} [${Array(10).fill(`*${'abcdefg'[i]}`).join(',')}]`))
  .join('\n');

const cases: { name: string; yaml: string; where: RegExp; says: RegExp }[] = [
  { name: 'billion laughs', yaml: laughs + '\n', where: /:2:\d+: /, says: /aliases here expand into too many copies/ },
  { name: 'undefined alias', yaml: 'receivers:\n  otlp: *nope\n', where: /:2:9: /, says: /alias \*nope refers to no anchor/ },
  { name: 'merge key without anchor', yaml: 'receivers:\n  otlp:\n    <<: *base\n', where: /:3:9: /, says: /alias \*base refers to no anchor/ },
  { name: 'recursive alias', yaml: 'receivers: &r\n  otlp: *r\n', where: /:2:9: /, says: /alias \*r is inside the value it refers to/ },
  { name: 'deep flow nesting', yaml: 'a: ' + '['.repeat(5000) + ']'.repeat(5000) + '\n', where: /:1:\d+: /, says: /nests deeper than 64 levels/ },
  { name: 'moderately deep nesting', yaml: 'a: ' + '['.repeat(100) + ']'.repeat(100) + '\n', where: /:1:\d+: /, says: /nests deeper than 64 levels/ },
  {
    name: 'deep block nesting',
    yaml: Array.from({ length: 2000 }, (_, i) => ' '.repeat(i) + 'k:').join('\n') + ' 1\n',
    where: /:\d+:\d+: /,
    says: /nests deeper than 64 levels/,
  },
];

describe('attack: hostile YAML', () => {
  for (const c of cases)
    it(`${c.name}: exit 78 with position and a sentence`, async () => {
      const f = join(tempDir(), 'bad.yaml');
      writeFileSync(f, c.yaml);
      const r = await runCli(['validate', '--config', f]);
      expect(r.code, r.stderr).toBe(78);
      const out = r.stderr + r.stdout;
      expect(out).toMatch(new RegExp(`${f.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}${c.where.source}`));
      expect(out).toMatch(c.says);
      expect(out).not.toMatch(/Maximum call stack|ReferenceError|TypeError|RangeError|\n\s+at /);
    });
});
