// bench:nab and bench:loghub take `--data` pointing at any copy with the published layout and
// score whatever is there (issue 20): here, tiny copies written by the test, so the runners'
// contract (full-set score, cross-validation folds, result files in the benchmarks' formats) is
// checked without the data sets.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const repo = resolve(import.meta.dirname, '../..');
const tsx = join(repo, 'node_modules/.bin/tsx');
const run = (script: string, args: string[]): string =>
  execFileSync(tsx, [join(repo, script), ...args], { cwd: repo, encoding: 'utf8', timeout: 120_000, env: { ...process.env, TELEMD_DATASETS: '/nonexistent' } });

/** Seeded uniform noise (mulberry32). */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function tempDir(prefix: string): { path: string } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(path);
  return { path };
}

describe('bench:nab on a copy with the published layout', () => {
  it('scores every category there, prints full-set scores and leave-one-category-out folds, writes <category>/<file>.csv', () => {
    const d = tempDir('nab-layout-');
    const t0 = Date.UTC(2026, 0, 1);
    const stamp = (i: number) => new Date(t0 + i * 300_000).toISOString().slice(0, 19).replace('T', ' ');
    const windows: Record<string, [string, string][]> = {};
    const cats = ['catA', 'catB', 'catC'];
    cats.forEach((cat, k) => {
      mkdirSync(join(d.path, 'data', cat), { recursive: true });
      const r = rng(k + 1);
      const n = 800;
      // Noise around 50, then a jump to 90 for 40 points at 600: one labelled window around it.
      const rows = Array.from({ length: n }, (_, i) => `${stamp(i)},${(50 + 4 * (r() - 0.5) + (i >= 600 && i < 640 ? 40 : 0)).toFixed(3)}`);
      writeFileSync(join(d.path, 'data', cat, `${cat}_series.csv`), `timestamp,value\n${rows.join('\n')}\n`);
      windows[`${cat}/${cat}_series.csv`] = [[`${stamp(590)}.000000`, `${stamp(650)}.000000`]];
    });
    mkdirSync(join(d.path, 'labels'));
    writeFileSync(join(d.path, 'labels', 'combined_windows.json'), JSON.stringify(windows));
    const out = join(d.path, 'results');
    const text = run('bench/nab/index.ts', ['--data', d.path, '--out', out, '--no-cost', '--no-synthetic']);

    expect(text).toMatch(/files 3 in 3 categories, points 2400/);
    for (const p of ['standard', 'reward_low_FP_rate', 'reward_low_FN_rate']) expect(text).toMatch(new RegExp(`^  ${p}\\s+[\\d.]+\\s+-?[\\d.]+`, 'm'));
    // The jump is found in every file: a full standard score, no misses.
    const std = /^ {2}standard\s+[\d.]+\s+(-?[\d.]+)\s+(\d+)\s+(\d+)\s+(\d+)/m.exec(text)!;
    expect(Number(std[2])).toBe(3);
    expect(Number(std[4])).toBe(0);
    expect(text).toContain('leave-one-category-out');
    for (const c of cats) expect(text).toMatch(new RegExp(`^  ${c}\\s+-?[\\d.]+ @`, 'm'));
    expect(text).toMatch(/worst fold\s+-?[\d.]+/);
    expect(text).toContain('covers 3 of NAB');

    const csv = readFileSync(join(out, 'catB', 'catB_series.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('timestamp,value,anomaly_score');
    expect(csv).toHaveLength(801);
    const scores = csv.slice(1).map((l) => Number(l.split(',')[2]));
    expect(scores.every((s) => s >= 0 && s <= 1)).toBe(true);
    expect(Math.max(...scores.slice(600, 640))).toBeGreaterThan(Math.max(...scores.slice(200, 590)));
  });
});

describe('bench:loghub on a copy with the published layout', () => {
  it('scores every system there, prints leave-one-system-out folds, writes one template id per line', () => {
    const d = tempDir('loghub-layout-');
    const systems: Record<string, [string, (i: number) => string][]> = {
      Alpha: [
        ['E1', (i) => `Receiving block blk_${1000 + i} src: /10.0.0.${i % 200}:50010`],
        ['E2', (i) => `session opened for user u${i} by (uid=0)`],
        ['E3', () => 'Starting the cleaner thread'],
      ],
      Beta: [
        ['E1', (i) => `Took ${i % 90}.5 seconds to spawn the instance`],
        ['E2', (i) => `connection from 192.168.${i % 250}.7 closed`],
      ],
    };
    for (const [sys, events] of Object.entries(systems)) {
      mkdirSync(join(d.path, sys));
      const rows: string[] = ['LineId,Date,Content,EventId,EventTemplate'];
      const raw: string[] = [];
      for (let i = 0; i < 60; i++) {
        const [id, make] = events[i % events.length]!;
        const content = make(i);
        rows.push(`${i + 1},2026-01-01,"${content.replace(/"/g, '""')}",${id},x`);
        raw.push(`2026-01-01 ${content}`);
      }
      writeFileSync(join(d.path, sys, `${sys}_2k.log_structured.csv`), rows.join('\n') + '\n');
      writeFileSync(join(d.path, sys, `${sys}_2k.log`), raw.join('\n') + '\n');
    }
    const out = join(d.path, 'ids');
    const text = run('bench/loghub/index.ts', ['--data', d.path, '--out', out]);

    expect(text).toContain('systems 2;');
    expect(text).toMatch(/^Alpha\s+1\.000\s+1\.000/m);
    expect(text).toMatch(/^Beta\s+1\.000\s+1\.000/m);
    expect(text).toMatch(/^average\s+1\.000/m);
    expect(text).toContain('leave-one-system-out');
    expect(text).toMatch(/^ {2}Alpha\s+held-out\s+[\d.]+ with depth/m);
    expect(text).toMatch(/worst fold\s+[\d.]+, mean of folds/);
    expect(text).toMatch(/lines per CPU-second/);

    const ids = readFileSync(join(out, 'Alpha.csv'), 'utf8').trim().split('\n');
    expect(ids[0]).toBe('LineId,template_id');
    expect(ids).toHaveLength(61);
    const byLine = ids.slice(1).map((l) => l.split(','));
    expect(byLine[0]![0]).toBe('1');
    // Lines 1, 4, 7 are one event; 2 and 3 are others.
    expect(byLine[3]![1]).toBe(byLine[0]![1]);
    expect(new Set([byLine[0]![1], byLine[1]![1], byLine[2]![1]]).size).toBe(3);
  });

  it('says it skipped when the folder is absent', () => {
    expect(run('bench/loghub/index.ts', ['--data', '/nonexistent/loghub'])).toContain('bench:loghub skipped');
  });
});
