// Config mutation (issue 12): seeded mutations of the shipped configs (default and examples)
// go through the same resolveConfig that `validate`, `run` and reloads use. None may throw; each
// is either valid or refused with errors that say where (file:line:col, or --set / the file)
// in a sentence without internal class names. The figure counts what was tried and refused.
// TELEMD_SOAK=1: 2,100 mutations as in the issue.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/resolve.js';
import { factories } from '../../src/registry.js';
import { ROOT } from '../helpers/agent.js';
import { rng } from '../otlp/mutate.js';
import { figure } from './figures.js';

const SOAK = process.env.TELEMD_SOAK === '1';
const N = SOAK ? 2100 : 300;
const SOURCES = ['config/default.yaml', 'config/examples/collector-agent.yaml', 'config/examples/logs-to-file.yaml', 'config/examples/otlp-gateway-durable.yaml', 'config/examples/prometheus-remote-write.yaml'];
const JUNK = ['*a', '&a', '<<: *a', '[', ']', '{', '}', ': ', '- ', '"', "'", '\t', '!!binary', '%YAML 1.1', '---', '${env:NOPE}', '$$', '0x1F', '1e999', '-1', '~', 'null', '__proto__', 'constructor', '\u0000', '\uFFFD', '9'.repeat(40), 'true', '"${env:HOME}"'];

function mutate(r: () => number, text: string): string {
  const lines = text.split('\n');
  const k = 1 + Math.floor(r() * 3);
  for (let j = 0; j < k; j++) {
    const i = Math.floor(r() * lines.length);
    const l = lines[i] ?? '';
    const m = Math.floor(r() * 7);
    if (m === 0) lines.splice(i, 1);
    else if (m === 1) lines.splice(i, 0, lines[Math.floor(r() * lines.length)] ?? '');
    else if (m === 2) lines[i] = ' '.repeat(Math.floor(r() * 8)) + l.trimStart();
    else if (m === 3) {
      const at = Math.floor(r() * (l.length + 1));
      lines[i] = l.slice(0, at) + JUNK[Math.floor(r() * JUNK.length)] + l.slice(at);
    } else if (m === 4) lines[i] = l.replace(/:\s*(\S.*)$/, `: ${JUNK[Math.floor(r() * JUNK.length)]}`);
    else if (m === 5) lines[i] = l.replace(/[a-z_]{3,}/, (w) => w.slice(0, -1));
    else lines[i] = l.slice(0, Math.floor(r() * l.length));
  }
  return lines.join('\n');
}

describe('attack: config mutation', () => {
  it(`${N} mutated configs: valid, or refused with a position and a sentence; never a crash`, () => {
    const r = rng(1204);
    const texts = SOURCES.map((f) => readFileSync(join(ROOT, f), 'utf8'));
    let refused = 0;
    let valid = 0;
    let unpositioned = 0;
    for (let n = 0; n < N; n++) {
      const name = `mutant-${n}.yaml`;
      const text = mutate(r, texts[n % texts.length]!);
      let res;
      try {
        res = resolveConfig({ files: [], texts: [[name, text]], env: { HOME: '/root' }, factories });
      } catch (e) {
        throw new Error(`mutation ${n} crashed the config loader: ${(e as Error).stack}\n--- config ---\n${text}`);
      }
      if (res.errors.length === 0) {
        valid++;
        continue;
      }
      refused++;
      for (const e of res.errors) {
        expect(e.message, `mutation ${n}`).not.toMatch(/Maximum call stack|ReferenceError|TypeError|RangeError|SyntaxError|undefined is not|Cannot read prop/);
        expect(e.message.length).toBeGreaterThan(5);
        if (e.file !== name || e.line === undefined) unpositioned++;
      }
    }
    figure('config mutation', { inputs: N, faults: N, refused, valid, unpositionedErrors: unpositioned, lost: 0, crashes: 0, maxRssMiB: Math.round(process.memoryUsage().rss / 1048576) });
    expect(refused).toBeGreaterThan(N / 4);
    // Errors about something missing (a pipeline naming an undefined component) point at the
    // nearest line; only whole-file errors ("no service section") have no line.
    expect(unpositioned).toBeLessThan(refused * 0.1);
  });
});
