import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers/agent.js';

function cfg(receiver: string): string {
  return `receivers:\n${receiver}\nexporters:\n  debug:\nservice:\n  pipelines:\n    logs:\n      receivers: [filelog]\n      exporters: [debug]\n`;
}

describe('filelog config through telemd validate', () => {
  it('points at the bad key with a suggestion, and explains bad operators', async () => {
    const dir = tempDir();
    const a = join(dir, 'a.yaml');
    writeFileSync(a, cfg('  filelog:\n    include: [/var/log/*.log]\n    start_at: begining'));
    const r1 = await runCli(['validate', '--config', a]);
    expect(r1.code).not.toBe(0);
    expect(r1.stderr + r1.stdout).toMatch(/a\.yaml:\d+:\d+: .*start_at.*did you mean "beginning"/);
    const b = join(dir, 'b.yaml');
    writeFileSync(b, cfg('  filelog:\n    include: [/var/log/*.log]\n    operators:\n      - type: regex_parser\n        regex: "no groups"\n      - type: json_parser\n        parse_too: body'));
    const r2 = await runCli(['validate', '--config', b]);
    expect(r2.code).not.toBe(0);
    expect(r2.stderr + r2.stdout).toMatch(/needs at least one named group/);
    expect(r2.stderr + r2.stdout).toMatch(/did you mean "parse_to"/);
    const c = join(dir, 'c.yaml');
    writeFileSync(c, cfg('  filelog:\n    include: [/var/log/*.log]\n    storage: file_storage\n    multiline:\n      line_start_pattern: "^\\\\d"'));
    const r3 = await runCli(['validate', '--config', c]);
    expect(r3.stderr + r3.stdout).not.toMatch(/multiline/);
  });
});
