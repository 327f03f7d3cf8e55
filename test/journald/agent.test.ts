// journald through the real agent: journal file -> journald receiver -> file exporter, with
// the cursor in file_storage across a graceful restart.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startAgent } from '../helpers/agent.js';
import { appendJournal, HAVE } from './journal.js';

function messages(out: string): string[] {
  if (!existsSync(out)) return [];
  return [...readFileSync(out, 'utf8').matchAll(/"stringValue":"(msg-\d+)"/g)].map((m) => m[1]!);
}

describe.skipIf(!HAVE)('journald in the agent', () => {
  it('delivers entries once across a restart', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'telemd-journald-agent-'));
    const journal = join(dir, 'j.journal');
    const out = join(dir, 'out.jsonl');
    appendJournal(journal, [{ MESSAGE: 'msg-1' }, { MESSAGE: 'msg-2' }]);
    const config = `
extensions:
  file_storage:
    directory: ${dir}/state
receivers:
  journald:
    files: [${journal}]
    start_at: beginning
    storage: file_storage
exporters:
  file:
    path: ${out}
    flush_interval: 50ms
service:
  extensions: [file_storage]
  pipelines:
    logs:
      receivers: [journald]
      exporters: [file]
`;
    let a = await startAgent({ config, dir });
    const until = async (n: number) => {
      for (let i = 0; i < 200 && messages(out).length < n; i++) await new Promise((r) => setTimeout(r, 50));
    };
    await until(2);
    expect(await a.stop()).toBe(0);
    appendJournal(journal, [{ MESSAGE: 'msg-3' }]);
    a = await startAgent({ config, dir });
    await until(3);
    await new Promise((r) => setTimeout(r, 300));
    expect(await a.stop()).toBe(0);
    expect(messages(out)).toEqual(['msg-1', 'msg-2', 'msg-3']);
  });
});
