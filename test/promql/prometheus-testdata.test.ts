// Prometheus 2.42's own PromQL test files (../shared/promql-tests, never copied here), run
// through the engine in instant and range mode: no supported case may fail, and at least 90 %
// of all cases must pass.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runTestFile, type FileResult } from '../../src/promql/promqltest.js';
import { sharedDir } from './shared.js';

const dir = process.env.TELEMD_PROMQL_TESTS ?? sharedDir('promql-tests');

if (!dir) {
  it.skip('../shared/promql-tests is absent: Prometheus test files not run', () => {});
} else {
  const files = readdirSync(dir).filter((f) => f.endsWith('.test')).sort();
  const results: FileResult[] = [];
  describe('Prometheus 2.42 promql/testdata', () => {
    for (const f of files) {
      it(f, async () => {
        const r = await runTestFile(join(dir, f));
        results.push(r);
        const failures = r.cases.filter((c) => c.status === 'failed').map((c) => `line ${c.line}: ${c.expr}: ${c.reason}`);
        expect(failures).toEqual([]);
      });
    }
    afterAll(() => {
      // Only meaningful when every file ran (not under a test-name filter).
      if (results.length !== files.length) return;
      const total = results.reduce((n, r) => n + r.cases.length, 0);
      const passed = results.reduce((n, r) => n + r.passed, 0);
      expect(total).toBeGreaterThanOrEqual(566);
      expect(passed / total).toBeGreaterThanOrEqual(0.9);
    });
  });
}
