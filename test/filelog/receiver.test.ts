import { appendFile, rename, truncate, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { ConsumerError } from '../../src/component/consumer.js';
import type { Receiver } from '../../src/component/component.js';
import { MetricRegistry } from '../../src/telemetry/self.js';
import { DirStorage, Recorder, startReceiver, tempDir, waitFor } from './harness.js';

const fast = { poll_interval: '20ms', force_flush_period: '100ms' };
let running: Receiver[] = [];
afterEach(async () => {
  await Promise.all(running.map((r) => r.shutdown()));
  running = [];
});
async function start(...a: Parameters<typeof startReceiver>): Promise<Receiver> {
  const r = await startReceiver(...a);
  running.push(r);
  return r;
}
/** Writes `content` to `path`, reads it from the start with `cfg` and returns the first `n` bodies. */
async function readBack(path: string, content: string | Buffer, cfg: Record<string, unknown>, n: number): Promise<string[]> {
  await writeFile(path, content);
  const rec = new Recorder();
  await start({ include: [path], start_at: 'beginning', ...cfg, ...fast }, rec);
  await waitFor(() => rec.got.length === n);
  return rec.bodies();
}

describe('filelog receiver', () => {
  it('reads existing lines from the beginning with file attributes, then appended ones', async () => {
    const dir = await tempDir();
    const f = join(dir, 'a.log');
    await writeFile(f, 'one\ntwo\n');
    const rec = new Recorder();
    await start({ include: [join(dir, '*.log')], start_at: 'beginning', include_file_path: true, ...fast }, rec);
    await waitFor(() => rec.got.length === 2);
    await appendFile(f, 'three\r\n');
    await waitFor(() => rec.got.length === 3);
    expect(rec.bodies()).toEqual(['one', 'two', 'three']);
    expect(rec.got[0]!.attributes).toEqual({ 'log.file.name': 'a.log', 'log.file.path': f });
    expect(rec.got[0]!.observedTimeUnixNano).toBeGreaterThan(0n);
  });

  it('start_at end skips what was there on the first run only', async () => {
    const dir = await tempDir();
    const f = join(dir, 'a.log');
    await writeFile(f, 'old\n');
    const rec = new Recorder();
    const reg = new MetricRegistry();
    await start({ include: [join(dir, '*.log')], ...fast }, rec, undefined, reg);
    // The first poll has seen a.log (a fixed sleep loses that race on a loaded machine).
    await waitFor(() => reg.values('telemd_filelog_open_files')[0]?.value === 1);
    await appendFile(f, 'new\n');
    await writeFile(join(dir, 'b.log'), 'fresh file\n');
    await waitFor(() => rec.got.length === 2);
    expect(rec.bodies().sort()).toEqual(['fresh file', 'new']);
  });

  it('advances the checkpoint only for acknowledged lines: a restart re-reads what was not acknowledged', async () => {
    const dir = await tempDir();
    const store = new DirStorage(join(dir, 'storage'));
    const f = join(dir, 'a.log');
    await writeFile(f, 'l1\nl2\n');
    const rec = new Recorder();
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let holdNext = false;
    rec.gate = async () => {
      if (holdNext) await held;
    };
    const r1 = await start({ include: [f], start_at: 'beginning', storage: 'file_storage', ...fast }, rec, store);
    await waitFor(() => rec.got.length === 2);
    holdNext = true;
    await appendFile(f, 'l3\n');
    await new Promise((r) => setTimeout(r, 150));
    expect(rec.got.length).toBe(2); // l3 is in flight, not acknowledged
    const saved = JSON.parse((await store.get('file_checkpoints'))!.toString()) as { files: { offset: number }[] };
    expect(saved.files[0]!.offset).toBe(6);
    // Simulate a crash: drop the receiver without letting the acknowledgement arrive.
    running = running.filter((x) => x !== r1);
    const stopping = r1.shutdown();
    const rec2 = new Recorder();
    await start({ include: [f], start_at: 'end', storage: 'file_storage', ...fast }, rec2, new DirStorage(join(dir, 'storage')));
    await waitFor(() => rec2.got.length === 1);
    expect(rec2.bodies()).toEqual(['l3']);
    release();
    await stopping;
  });

  it('pauses on a retryable refusal and re-reads from the file: nothing lost', async () => {
    const dir = await tempDir();
    const f = join(dir, 'a.log');
    await writeFile(f, Array.from({ length: 50 }, (_, i) => `n${i}`).join('\n') + '\n');
    const rec = new Recorder();
    let refusals = 0;
    rec.gate = () => {
      if (refusals < 3) {
        refusals++;
        throw ConsumerError.retryable('queue full', { retryAfterMs: 30 });
      }
    };
    const reg = new MetricRegistry();
    await start(
      { include: [f], start_at: 'beginning', retry_on_failure: { initial_interval: '10ms' }, max_batch_size: 20, ...fast },
      rec,
      undefined,
      reg,
    );
    await waitFor(() => rec.got.length >= 50);
    expect(rec.bodies()).toEqual(Array.from({ length: 50 }, (_, i) => `n${i}`));
    expect(reg.renderPrometheus()).toMatch(/telemd_receiver_refused_items_total\{[^}]*\} 60/);
    expect(reg.renderPrometheus()).toMatch(/telemd_receiver_accepted_items_total\{[^}]*\} 50/);
  });

  it('drops a permanently refused batch, counts it, and goes on', async () => {
    const dir = await tempDir();
    const f = join(dir, 'a.log');
    await writeFile(f, 'bad\n');
    const rec = new Recorder();
    rec.gate = (recs) => {
      if (recs.some((r) => r.body === 'bad')) throw ConsumerError.permanent('invalid');
    };
    const reg = new MetricRegistry();
    await start({ include: [f], start_at: 'beginning', ...fast }, rec, undefined, reg);
    await waitFor(() => /refused_items_total\{[^}]*\} 1/.test(reg.renderPrometheus()));
    await appendFile(f, 'good\n');
    await waitFor(() => rec.got.length === 1);
    expect(rec.bodies()).toEqual(['good']);
  });

  it('drains a file renamed out of the glob, and a deleted file still open', async () => {
    const dir = await tempDir();
    const f = join(dir, 'app.log');
    await writeFile(f, 'a1\n');
    const rec = new Recorder();
    await start({ include: [f], start_at: 'beginning', ...fast }, rec);
    await waitFor(() => rec.got.length === 1);
    // Writer appends to the old file after the rename (it still holds it open).
    const { open } = await import('node:fs/promises');
    const fh = await open(f, 'a');
    await rename(f, join(dir, 'app.log.1'));
    await fh.appendFile('a2\n');
    await writeFile(f, 'b1\n');
    await waitFor(() => rec.got.length === 3);
    await fh.appendFile('a3\n');
    await unlink(join(dir, 'app.log.1'));
    await fh.appendFile('a4\n');
    await waitFor(() => rec.got.length === 5);
    await fh.close();
    expect(rec.bodies().sort()).toEqual(['a1', 'a2', 'a3', 'a4', 'b1']);
  });

  it('detects copytruncate and reads the new content from 0; the copy continues at the old offset', async () => {
    const dir = await tempDir();
    const f = join(dir, 'app.log');
    await writeFile(f, 'first line of the old content\n');
    const rec = new Recorder();
    await start({ include: [join(dir, 'app.log*')], start_at: 'beginning', ...fast }, rec);
    await waitFor(() => rec.got.length === 1);
    await appendFile(f, 'second\n');
    // Copy then truncate in one go, before the receiver read "second".
    const { copyFile } = await import('node:fs/promises');
    await copyFile(f, join(dir, 'app.log.1'));
    await truncate(f, 0);
    await appendFile(f, 'new\n');
    await waitFor(() => rec.got.length >= 3);
    await new Promise((r) => setTimeout(r, 300));
    expect(rec.bodies().sort()).toEqual(['first line of the old content', 'new', 'second']);
  });

  it('copytruncate while reading is stalled by backpressure and the new content outgrows the old offset', async () => {
    const dir = await tempDir();
    const f = join(dir, 'app.log');
    const lines = (p: string, n: number) => Array.from({ length: n }, (_, i) => `${p}${String(i).padStart(5, '0')}`);
    await writeFile(f, lines('A', 400).join('\n') + '\n');
    const rec = new Recorder();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let calls = 0;
    rec.gate = async () => {
      calls++;
      await gate;
    };
    await start({ include: [join(dir, 'app.log*')], start_at: 'beginning', max_batch_size: 10, ...fast }, rec);
    await waitFor(() => calls >= 16, 10_000, 'reader stalled on in-flight batches');
    const { copyFile } = await import('node:fs/promises');
    await copyFile(f, join(dir, 'app.log.1'));
    await truncate(f, 0);
    await appendFile(f, lines('B', 600).join('\n') + '\n');
    release();
    await waitFor(() => rec.got.length >= 1000, 10_000, 'all lines');
    await new Promise((r) => setTimeout(r, 300));
    const got = rec.bodies().sort();
    expect(got).toEqual([...lines('A', 400), ...lines('B', 600)]);
  });

  it('handles a 10 MiB line, binary garbage, latin1 and a last line without newline', async () => {
    const dir = await tempDir();
    const f = join(dir, 'a.log');
    const big = 'y'.repeat(10 * 1024 * 1024);
    const garbage = Buffer.from(Array.from({ length: 256 }, (_, i) => (i === 10 ? 11 : i)));
    await writeFile(f, Buffer.concat([Buffer.from(`${big}\n`), garbage, Buffer.from('\nafter\nno newline')]));
    const rec = new Recorder();
    const reg = new MetricRegistry();
    await start({ include: [f], start_at: 'beginning', ...fast }, rec, undefined, reg);
    await waitFor(() => rec.got.length === 4);
    const [a, b, c, d] = rec.got;
    expect((a!.body as string).length).toBe(1024 * 1024);
    expect(a!.attributes['log.truncated']).toBe(true);
    expect(b!.body as string).toContain('\ufffd');
    expect((b!.body as string).startsWith('\u0000\u0001')).toBe(true);
    expect(c!.body).toBe('after');
    expect(d!.body).toBe('no newline');
    expect(reg.renderPrometheus()).toMatch(/telemd_filelog_truncated_records_total\{[^}]*\} 1/);

    expect(await readBack(join(dir, 'l.log'), Buffer.from('gr\xfc\xdfe\n', 'latin1'), { encoding: 'latin1' }, 1)).toEqual(['grüße']);
  });

  it('joins multiline records by line_start_pattern and flushes the last one when idle', async () => {
    const f = join(await tempDir(), 'a.log');
    const got = await readBack(f, '2026-01-01 boom\n  at a()\n  at b()\n2026-01-02 ok\n', { multiline: { line_start_pattern: '^\\d{4}-' } }, 2);
    expect(got).toEqual(['2026-01-01 boom\n  at a()\n  at b()', '2026-01-02 ok']);
  });

  it('runs operators; a line that fails to parse is kept with an error attribute', async () => {
    const dir = await tempDir();
    const f = join(dir, 'a.log');
    await writeFile(f, '{"level":"warn","msg":"hi","ts":"2026-11-22T03:00:00Z"}\nnot json\n');
    const rec = new Recorder();
    await start(
      {
        include: [f],
        start_at: 'beginning',
        operators: [
          {
            type: 'json_parser',
            timestamp: { parse_from: 'attributes.ts', layout: '%Y-%m-%dT%H:%M:%S%z' },
            severity: { parse_from: 'attributes.level' },
          },
          { type: 'move', from: 'attributes.msg', to: 'body' },
        ],
        ...fast,
      },
      rec,
    );
    await waitFor(() => rec.got.length === 2);
    const [a, b] = rec.got;
    expect(a!.body).toBe('hi');
    expect(a!.severityNumber).toBe(13);
    expect(a!.timeUnixNano).toBe(BigInt(Date.parse('2026-11-22T03:00:00Z')) * 1_000_000n);
    expect(b!.body).toBe('not json');
    expect(String(b!.attributes['log.parse_error'])).toMatch(/json_parser/);
  });

  it('honours exclude, skips .gz unless included explicitly, reads UTF-16 and joins by line_end_pattern', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'keep.log'), 'kept\n');
    await writeFile(join(dir, 'skip.log'), 'excluded\n');
    await writeFile(join(dir, 'old.log.gz'), gzipSync('compressed\n'));
    const rec = new Recorder();
    await start({ include: [join(dir, '*.log*')], exclude: ['**/skip.log'], start_at: 'beginning', ...fast }, rec);
    await waitFor(() => rec.got.length >= 1);
    await new Promise((r) => setTimeout(r, 150));
    expect(rec.bodies()).toEqual(['kept']);

    const rec2 = new Recorder();
    await start({ include: [join(dir, '*.gz')], start_at: 'beginning', ...fast }, rec2);
    await waitFor(() => rec2.got.length === 1);
    expect(rec2.bodies()).toEqual(['compressed']);

    expect(await readBack(join(dir, 'u16.txt'), Buffer.from('\ufeffzwei\r\ndrei\n', 'utf16le'), { encoding: 'utf-16le' }, 2)).toEqual(['zwei', 'drei']);
    expect(await readBack(join(dir, 'm.txt'), 'BEGIN a\nb\nEND;\nc END;\n', { multiline: { line_end_pattern: 'END;$' } }, 2)).toEqual(['BEGIN a\nb\nEND;', 'c END;']);
  });

  it('shuts down even when the pipeline never acknowledges; the unacknowledged lines come again', async () => {
    const dir = await tempDir();
    const store = new DirStorage(join(dir, 'storage'));
    const f = join(dir, 'a.log');
    await writeFile(f, Array.from({ length: 400 }, (_, i) => `s${i}`).join('\n') + '\n');
    const stuck = new Recorder();
    let calls = 0;
    stuck.gate = () => {
      calls++;
      return new Promise<void>(() => {});
    };
    const r = await startReceiver({ include: [f], start_at: 'beginning', storage: 'file_storage', max_batch_size: 10, ...fast }, stuck, store);
    await waitFor(() => calls >= 16);
    const t0 = Date.now();
    await r.shutdown();
    expect(Date.now() - t0).toBeLessThan(8000);
    const rec = new Recorder();
    await start({ include: [f], start_at: 'end', storage: 'file_storage', ...fast }, rec, new DirStorage(join(dir, 'storage')));
    await waitFor(() => rec.got.length === 400);
  });

  it('tells apart files that share a header, also across a restart', async () => {
    const dir = await tempDir();
    const header = '# ' + 'h'.repeat(2000) + '\n';
    await writeFile(join(dir, 'a.csv'), header + 'a1\n');
    await writeFile(join(dir, 'b.csv'), header + 'b1\n');
    const opts = { include: [join(dir, '*.csv')], start_at: 'beginning', storage: 'file_storage', ...fast };
    const rec = new Recorder();
    const r1 = await startReceiver(opts, rec, new DirStorage(join(dir, 'st')));
    await waitFor(() => rec.got.length === 4);
    await r1.shutdown();
    await appendFile(join(dir, 'a.csv'), 'a2\n');
    await appendFile(join(dir, 'b.csv'), 'b2\n');
    const rec2 = new Recorder();
    await start(opts, rec2, new DirStorage(join(dir, 'st')));
    await waitFor(() => rec2.got.length === 2);
    await new Promise((r) => setTimeout(r, 200));
    expect(rec.bodies().filter((b) => !b.startsWith('#')).sort()).toEqual(['a1', 'b1']);
    expect(rec2.bodies().sort()).toEqual(['a2', 'b2']);
  });

  it('a file replaced while the agent was down (inode maybe reused) is read from its start', async () => {
    const dir = await tempDir();
    const f = join(dir, 'a.log');
    await writeFile(f, 'old content that is long enough\n');
    const opts = { include: [f], start_at: 'beginning', storage: 'file_storage', ...fast };
    const rec = new Recorder();
    const r1 = await startReceiver(opts, rec, new DirStorage(join(dir, 'st')));
    await waitFor(() => rec.got.length === 1);
    await r1.shutdown();
    await unlink(f);
    await writeFile(f, 'new\nlines\nhere and more text\n');
    const rec2 = new Recorder();
    await start(opts, rec2, new DirStorage(join(dir, 'st')));
    await waitFor(() => rec2.got.length === 3);
    expect(rec2.bodies()).toEqual(['new', 'lines', 'here and more text']);
  });

  it('reads an explicitly included .gz file decompressed, resumes it after a restart, survives a cut archive', async () => {
    const dir = await tempDir();
    const lines = Array.from({ length: 30000 }, (_, i) => `z${i} ${'q'.repeat(40)}`);
    await writeFile(join(dir, 'big.log.1.gz'), gzipSync(lines.join('\n') + '\n'));
    const opts = { include: [join(dir, '*.gz')], start_at: 'beginning', storage: 'file_storage', max_batch_size: 1000, ...fast };
    const rec = new Recorder();
    const r1 = await startReceiver(opts, rec, new DirStorage(join(dir, 'st')));
    await waitFor(() => rec.got.length === 30000);
    await r1.shutdown();
    const good = gzipSync('c1\nc2\n' + 'x'.repeat(100000) + '\n');
    await writeFile(join(dir, 'cut.log.2.gz'), good.subarray(0, good.length - 30));
    const rec2 = new Recorder();
    await start(opts, rec2, new DirStorage(join(dir, 'st')));
    await waitFor(() => rec2.got.length >= 2);
    await new Promise((r) => setTimeout(r, 300));
    expect(rec.bodies()).toEqual(lines);
    expect(rec2.bodies().slice(0, 2)).toEqual(['c1', 'c2']);
    expect(rec2.bodies().filter((b) => b.startsWith('z'))).toEqual([]);
  });

  it('resolved names through symlinks; exclude_older_than skips stale files', async () => {
    const dir = await tempDir();
    const { symlink, utimes, mkdir } = await import('node:fs/promises');
    await mkdir(join(dir, 'real'));
    await writeFile(join(dir, 'real', 'target.log'), 'via link\n');
    await mkdir(join(dir, 'links'));
    await symlink(join(dir, 'real', 'target.log'), join(dir, 'links', 'app.log'));
    await writeFile(join(dir, 'links', 'stale.log'), 'too old\n');
    const old = new Date(Date.now() - 3 * 3600_000);
    await utimes(join(dir, 'links', 'stale.log'), old, old);
    const rec = new Recorder();
    await start(
      // The target lies outside the include folder: allowed explicitly (README "Security").
      { include: [join(dir, 'links', '*.log')], symlink_targets: [join(dir, 'real', '*.log')], start_at: 'beginning', include_file_path_resolved: true, include_file_name_resolved: true, exclude_older_than: '1h', ...fast },
      rec,
    );
    await waitFor(() => rec.got.length === 1);
    await new Promise((r) => setTimeout(r, 150));
    expect(rec.bodies()).toEqual(['via link']);
    expect(rec.got[0]!.attributes).toMatchObject({
      'log.file.name': 'app.log',
      'log.file.name_resolved': 'target.log',
      'log.file.path_resolved': join(dir, 'real', 'target.log'),
    });
  });

  it('rejects bad config with clear messages', async () => {
    await expect(startReceiver({ include: ['/x'], operators: [{ type: 'json_parsr' }] }, new Recorder())).rejects.toThrow(
      /did you mean "json_parser"/,
    );
    await expect(startReceiver({ include: ['/x'], start_at: 'begining' }, new Recorder())).rejects.toThrow(/did you mean "beginning"/);
  });
});
