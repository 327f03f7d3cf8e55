// Every YAML snippet in README.md validates: on its own, or, when its first line says
// `# overlay on config/default.yaml`, merged over the default config (as the README tells the
// reader to run it). A snippet that is neither is a broken promise to a new user.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli, tempDir } from '../helpers/agent.js';

const OVERLAY = '# overlay on config/default.yaml';

export function yamlBlocks(markdown: string): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!/^```ya?ml\s*$/.test(lines[i]!)) continue;
    const start = i + 1;
    let j = start;
    while (j < lines.length && !lines[j]!.startsWith('```')) j++;
    out.push({ line: start + 1, text: lines.slice(start, j).join('\n') + '\n' });
    i = j;
  }
  return out;
}

describe('README.md snippets', () => {
  const blocks = yamlBlocks(readFileSync(join(ROOT, 'README.md'), 'utf8'));

  it('has YAML snippets to check', () => {
    expect(blocks.length).toBeGreaterThan(0);
  });

  it.each(blocks.map((b) => [b.line, b] as const))('the snippet at README.md:%i validates', async (_line, b) => {
    const dir = tempDir('telemd-readme-');
    const f = join(dir, `readme-${b.line}.yaml`);
    writeFileSync(f, b.text);
    const overlay = b.text.startsWith(OVERLAY);
    const r = await runCli(['validate', ...(overlay ? ['--config', join(ROOT, 'config', 'default.yaml')] : []), '--config', f]);
    expect(r.stderr, `README.md:${b.line} (${overlay ? 'overlay on the default config' : 'on its own'})`).toBe('');
    expect(r.code).toBe(0);
  });
});
