// Credentials written into URLs never show: print-config, validate, /reload replies, the service
// view, the log (issue 12, must fix 5). One function (src/security/redact.ts) everywhere.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { redactUrlSecrets } from '../../src/security/redact.js';
import { pino } from 'pino';
import { loggerOptions } from '../../src/telemetry/logger.js';
import { runCli, tempDir } from '../helpers/agent.js';
import { inprocAgents } from '../helpers/inproc.js';

const startInproc = inprocAgents();
const PW = 'S3cr3t-pw';
const KEY = 'k3y-0f-th3-api';

describe('redactUrlSecrets', () => {
  it.each([
    ['http://alice:pw@host:4318/v1', 'http://alice:[REDACTED]@host:4318/v1'],
    ['https://ghp_abcdef@github.com/x.git', 'https://[REDACTED]@github.com/x.git'],
    ['https://h/write?api_key=abc&tenant=t', 'https://h/write?api_key=[REDACTED]&tenant=t'],
    ['https://h/?token=a&access_token=b&password=c&secret=d&signature=e&X-Amz-Signature=f&X-Amz-Credential=g&client_secret=h&sig=i&page=2', 'https://h/?token=[REDACTED]&access_token=[REDACTED]&password=[REDACTED]&secret=[REDACTED]&signature=[REDACTED]&X-Amz-Signature=[REDACTED]&X-Amz-Credential=[REDACTED]&client_secret=[REDACTED]&sig=[REDACTED]&page=2'],
    ['endpoint "http://u:p@h?key=v" is bad', 'endpoint "http://u:[REDACTED]@h?key=[REDACTED]" is bad'],
    ['no url here, a=b', 'no url here, a=b'],
    ['https://host/path?q=search&limit=10', 'https://host/path?q=search&limit=10'],
  ])('%s', (input, shown) => {
    expect(redactUrlSecrets(input)).toBe(shown);
  });
});

const config = (out: string, extra = '') => `
receivers:
  probe:
exporters:
  otlphttp:
    endpoint: http://alice:${PW}@127.0.0.1:1
  prometheusremotewrite:
    endpoint: https://127.0.0.1:1/api/v1/write?api_key=${KEY}&tenant=t1
  file:
    path: ${out}
${extra}
service:
  pipelines:
    metrics:
      receivers: [probe]
      exporters: [otlphttp, prometheusremotewrite]
    logs:
      receivers: [probe]
      exporters: [file]
`;

describe('shown config', () => {
  it('print-config and validate keep the user and harmless parameters, never the secrets', async () => {
    const dir = tempDir();
    const file = join(dir, 'c.yaml');
    writeFileSync(file, config(join(dir, 'out.jsonl')).replace('  probe:\n', '  nop:\n').replaceAll('[probe]', '[nop]'));
    const p = await runCli(['print-config', '--config', file]);
    expect(p.code).toBe(0);
    expect(p.stdout).toContain('endpoint: http://alice:[REDACTED]@127.0.0.1:1');
    expect(p.stdout).toContain('api_key=[REDACTED]&tenant=t1');
    expect(p.stdout).not.toContain(PW);
    expect(p.stdout).not.toContain(KEY);
    writeFileSync(file, config(join(dir, 'out.jsonl')).replace('  probe:\n', '  nop:\n').replaceAll('[probe]', '[nop]').replace(`${PW}@127.0.0.1:1`, `${PW}@127.0.0.1:1/x?token=${KEY}\n    timeout: soon`));
    const v = await runCli(['validate', '--config', file]);
    expect(v.code).toBe(78);
    expect(v.stderr).not.toContain(PW);
    expect(v.stderr).not.toContain(KEY);
  });

  it('the service view and /reload replies do not carry them either', async () => {
    const dir = tempDir();
    const a = await startInproc(config(join(dir, 'out.jsonl')));
    const shown = JSON.stringify(a.agent.view.config());
    expect(shown).toContain('alice:[REDACTED]@');
    expect(shown).not.toContain(PW);
    expect(shown).not.toContain(KEY);
    // A refused reload whose error quotes the value.
    a.write(config(join(dir, 'out.jsonl')).replace(`http://alice:${PW}@127.0.0.1:1`, `ftp://alice:${PW}@127.0.0.1:1?token=${KEY}`));
    const r = await a.agent.reload();
    expect(r.applied).toBe(false);
    expect(r.errors.join('\n')).toMatch(/ftp:\/\/alice:\[REDACTED\]@/);
    expect(JSON.stringify(r)).not.toContain(PW);
    expect(JSON.stringify(r)).not.toContain(KEY);
    expect(JSON.stringify(a.logs)).not.toContain(PW);
  });

  it('the log does not repeat them, in messages, fields or errors', () => {
    const lines: string[] = [];
    // The agent's logger options, into a capture instead of stdout.
    const p = pino(loggerOptions('info'), new Writable({ write: (c: Buffer, _e, cb) => (lines.push(c.toString()), cb()) }));
    p.info({ endpoint: `http://u:${PW}@h/` }, `connecting to http://u:${PW}@h/?api_key=${KEY}`);
    p.error({ err: new Error(`send failed: http://u:${PW}@h/`) }, 'failed');
    const text = lines.join('');
    expect(text).not.toContain(PW);
    expect(text).not.toContain(KEY);
    expect(text).toContain('u:[REDACTED]@h');
  });
});
