// Reads a real journal file written by systemd-journal-remote from export format, through
// the real journalctl. Skips where either tool is missing.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ConsumerError } from '../../src/component/consumer.js';
import type { Receiver } from '../../src/component/component.js';
import { ParseContext } from '../../src/config/schema.js';
import { MetricRegistry, SelfTelemetry } from '../../src/telemetry/self.js';
import { factory } from '../../receivers/journald/index.js';
import { observeReceiver } from '../../src/service/observe.js';
import { configSchema } from '../../receivers/journald/config.js';
import { DirStorage, hostWith, Recorder, waitFor } from '../filelog/harness.js';
import { appendJournal, HAVE, lastSeq } from './journal.js';

let running: Receiver[] = [];
afterEach(async () => {
  await Promise.all(running.map((r) => r.shutdown()));
  running = [];
});

async function start(raw: Record<string, unknown>, rec: Recorder, storage?: DirStorage, reg = new MetricRegistry(), logger = pino({ level: 'silent' })): Promise<Receiver> {
  const ctx = new ParseContext();
  const cfg = configSchema.parse(raw, ctx);
  expect(ctx.issues).toEqual([]);
  expect(factory.validate!(cfg)).toEqual([]);
  const tel = new SelfTelemetry(reg);
  const r = factory.create(
    { id: { type: 'journald', name: '', id: 'journald' }, kind: 'receiver', logger, telemetry: tel },
    cfg,
    { logs: observeReceiver(tel, 'logs', rec) },
  );
  await r.start(hostWith(storage));
  running.push(r);
  return r;
}

describe.skipIf(!HAVE)('journald receiver (real journalctl, journal written by systemd-journal-remote)', () => {
  it('maps fields, severity and time; filters by unit and priority; follows new entries', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'telemd-journald-'));
    const file = join(dir, 'test.journal');
    appendJournal(file, [
      { MESSAGE: 'disk failing', PRIORITY: '3', SYSLOG_IDENTIFIER: 'smartd', _SYSTEMD_UNIT: 'smartd.service' },
      { MESSAGE: 'chatter', PRIORITY: '7', _SYSTEMD_UNIT: 'smartd.service' },
      { MESSAGE: 'other unit', PRIORITY: '6', _SYSTEMD_UNIT: 'cron.service' },
    ]);
    const rec = new Recorder();
    await start({ files: [file], start_at: 'beginning', units: ['smartd.service'] }, rec);
    await waitFor(() => rec.got.length === 1, 10_000, 'first entry');
    const r = rec.got[0]!;
    expect(r.body).toBe('disk failing');
    expect(r.severityNumber).toBe(17);
    expect(r.severityText).toBe('err');
    expect(r.timeUnixNano).toBe((1795317268000000n + BigInt(lastSeq() - 2) * 1000n) * 1000n);
    expect(r.attributes).toMatchObject({ SYSLOG_IDENTIFIER: 'smartd', _SYSTEMD_UNIT: 'smartd.service', _HOSTNAME: 'testhost' });
    appendJournal(file, [{ MESSAGE: 'later', PRIORITY: '4', _SYSTEMD_UNIT: 'smartd.service' }]);
    await waitFor(() => rec.got.length === 2, 10_000, 'followed entry');
    expect(rec.bodies()).toEqual(['disk failing', 'later']);
  });

  it('checkpoints the cursor of acknowledged entries: a restart resumes without loss or duplicates', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'telemd-journald-'));
    const file = join(dir, 'test.journal');
    const store = new DirStorage(join(dir, 'state'));
    appendJournal(file, [{ MESSAGE: 'a' }, { MESSAGE: 'b' }]);
    const rec = new Recorder();
    const r1 = await start({ files: [file], start_at: 'beginning', storage: 'file_storage' }, rec, store);
    await waitFor(() => rec.got.length === 2);
    running = [];
    await r1.shutdown();
    appendJournal(file, [{ MESSAGE: 'c' }]);
    const rec2 = new Recorder();
    await start({ files: [file], start_at: 'beginning', storage: 'file_storage' }, rec2, new DirStorage(join(dir, 'state')));
    await waitFor(() => rec2.got.length === 1);
    await new Promise((r) => setTimeout(r, 300));
    expect(rec2.bodies()).toEqual(['c']);
  });

  it('retries refused batches (the journal is the buffer) and counts refusals', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'telemd-journald-'));
    const file = join(dir, 'test.journal');
    appendJournal(file, [{ MESSAGE: 'x1' }, { MESSAGE: 'x2' }]);
    const rec = new Recorder();
    let n = 0;
    rec.gate = () => {
      if (n++ < 2) throw ConsumerError.retryable('busy');
    };
    const reg = new MetricRegistry();
    await start({ files: [file], start_at: 'beginning', retry_on_failure: { initial_interval: '20ms' } }, rec, undefined, reg);
    await waitFor(() => rec.got.length === 2);
    expect(rec.bodies()).toEqual(['x1', 'x2']);
    expect(reg.renderPrometheus()).toMatch(/telemd_receiver_refused_items_total\{[^}]*retryable[^}]*\} [1-9]/);
  });

  it('keeps running and says why when journalctl cannot be started', async () => {
    const rec = new Recorder();
    const reg = new MetricRegistry();
    const logged: string[] = [];
    const logger = pino({ level: 'error' }, { write: (l: string) => void logged.push(l) });
    const r = await start({ journalctl_path: '/nonexistent/journalctl', retry_on_failure: { initial_interval: '20ms' } }, rec, undefined, reg, logger);
    await waitFor(() => /telemd_journald_restarts_total\{signal="logs"\} [2-9]/.test(reg.renderPrometheus()));
    expect(logged.join('')).toMatch(/cannot run journalctl.*ENOENT|ENOENT.*cannot run journalctl/);
    running = [];
    await r.shutdown();
  });
});
