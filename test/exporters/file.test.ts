import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ConsumerError } from '../../src/component/consumer.js';
import { ParseContext } from '../../src/config/schema.js';
import { decodeJson } from '../../src/otlp/index.js';
import type { LogsData } from '../../src/pdata/types.js';
import { configSchema } from '../../exporters/file/config.js';
import { FileExporter } from '../../exporters/file/exporter.js';
import { unzstd } from '../../exporters/file/compress.js';
import { tempDir } from '../helpers/agent.js';
import { testSettings } from '../helpers/settings.js';
import { tmpfsForSuite } from '../helpers/tmpfs.js';
import { waitUntil } from '../helpers/wait.js';
import { metric as metricValue } from '../storage/helpers.js';

function exporter(cfg: Record<string, unknown>) {
  const ctx = new ParseContext();
  const c = configSchema.parse(cfg, ctx);
  expect(ctx.issues).toEqual([]);
  const set = testSettings('file', 'exporter');
  return { exp: new FileExporter(set, c, ['logs']), reg: set.registry, set };
}

function logs(n: number, size = 100, from = 0): LogsData {
  return {
    resourceLogs: [
      {
        resource: { attributes: { 'host.name': 'h' } },
        scopeLogs: [
          {
            scope: { name: 's' },
            logRecords: Array.from({ length: n }, (_, i) => ({
              timeUnixNano: 1n,
              observedTimeUnixNano: 2n,
              severityNumber: 9,
              body: `${from + i} ${'x'.repeat(size)}`,
              attributes: { seq: BigInt(from + i) },
            })),
          },
        ],
      },
    ],
  };
}

function bodiesIn(text: string): string[] {
  return text
    .split('\n')
    .filter(Boolean)
    .flatMap((l) => decodeJson('logs', l).resourceLogs.flatMap((r) => r.scopeLogs.flatMap((s) => s.logRecords.map((x) => String(x.body).split(' ')[0]!))));
}

describe('file exporter', () => {
  it('acknowledges without waiting for flush_interval when idle, and groups what arrives meanwhile (fsync on and off)', async () => {
    const dir = tempDir();
    for (const fsync of [false, true]) {
      const path = join(dir, `out-${fsync}.jsonl`);
      const { exp, reg } = exporter({ path, flush_interval: '1h', fsync });
      const syncs = () => metricValue(reg, 'telemd_exporter_file_syncs_total');
      await exp.start();
      // Idle: the batch is written (and fsync'd) at once; waiting for the interval would take an hour.
      const first = exp.consumers.logs!.consume(logs(10, 10, 0));
      await expect(Promise.race([first.then(() => 'acknowledged'), new Promise((r) => setTimeout(() => r('waited'), 20_000))])).resolves.toBe('acknowledged');
      expect(syncs()).toBe(fsync ? 1 : 0);
      // Busy: batches issued back to back share group commits (here all four in one or two).
      await Promise.all([1, 2, 3, 4].map((i) => exp.consumers.logs!.consume(logs(10, 10, i * 10))));
      if (fsync) expect(syncs() - 1).toBeGreaterThanOrEqual(1);
      if (fsync) expect(syncs() - 1).toBeLessThanOrEqual(2);
      expect(bodiesIn(readFileSync(path, 'utf8')).sort((a, b) => Number(a) - Number(b))).toEqual(Array.from({ length: 50 }, (_, i) => String(i)));
      await exp.shutdown();
      // fsync: false still fsyncs, at the latest at flush_interval and at shutdown.
      if (!fsync) expect(syncs()).toBe(1);
    }
  });

  it('with fsync off, fsyncs the file within flush_interval of a write (the upper bound on unsynced data)', async () => {
    const dir = tempDir();
    const { exp, reg } = exporter({ path: join(dir, 'out.jsonl'), flush_interval: '50ms', fsync: false });
    await exp.start();
    await exp.consumers.logs!.consume(logs(1));
    expect(metricValue(reg, 'telemd_exporter_file_syncs_total')).toBe(0);
    await waitUntil(() => metricValue(reg, 'telemd_exporter_file_syncs_total') === 1);
    await exp.shutdown();
  });

  it('writes one OTLP JSON export request per line that decodes back losslessly', async () => {
    const dir = tempDir();
    const { exp } = exporter({ path: join(dir, 'out.jsonl'), flush_interval: '5ms' });
    await exp.start();
    await exp.consumers.logs!.consume(logs(3));
    await exp.consumers.logs!.consume(logs(2, 10, 3));
    await exp.shutdown();
    const lines = readFileSync(join(dir, 'out.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(2);
    const back = decodeJson('logs', lines[0]!);
    expect(back.resourceLogs[0]!.scopeLogs[0]!.logRecords[2]!.attributes.seq).toBe(2n);
    expect(bodiesIn(lines.join('\n'))).toEqual(['0', '1', '2', '3', '4']);
  });

  it('rotates at max_megabytes, gzips rotated files and keeps max_backups', async () => {
    const dir = tempDir();
    const { exp } = exporter({ path: join(dir, 'out.jsonl'), flush_interval: 0, rotation: { max_megabytes: 1, max_backups: 2 }, compression: 'gzip' });
    await exp.start();
    // ~5 MiB in 50 KiB batches: several rotations.
    for (let i = 0; i < 100; i++) await exp.consumers.logs!.consume(logs(50, 1000, i * 50));
    await exp.shutdown();
    // Post-rotation compression and pruning run in the background: wait until they are done.
    await waitUntil(() => readdirSync(dir).filter((f) => f !== 'out.jsonl' && !f.endsWith('.gz')).length === 0 && readdirSync(dir).filter((f) => f.endsWith('.gz')).length <= 2, 20_000).catch(() => undefined);
    const files = readdirSync(dir).sort();
    const backups = files.filter((f) => f.endsWith('.jsonl.gz'));
    expect(backups.length).toBe(2);
    expect(files.filter((f) => f !== 'out.jsonl' && !f.endsWith('.gz'))).toEqual([]);
    const newest = gunzipSync(readFileSync(join(dir, backups[1]!))).toString('utf8');
    const current = readFileSync(join(dir, 'out.jsonl'), 'utf8');
    // The newest backup and the current file hold a contiguous run ending at the last item.
    const seqs = [...bodiesIn(newest), ...bodiesIn(current)].map(Number);
    expect(seqs[seqs.length - 1]).toBe(4999);
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBe(seqs[i - 1]! + 1);
  });

  it('rotates at the limit even when a group commit holds more, and says so when one batch alone is larger', async () => {
    const dir = tempDir();
    const path = join(dir, 'out.jsonl');
    const { exp, set } = exporter({ path, rotation: { max_megabytes: 1, max_backups: 0 } });
    await exp.start();
    // ~5 MiB in 50 KiB batches, 20 at a time: each group commit carries ~1 MiB.
    for (let round = 0; round < 5; round++)
      await Promise.all(Array.from({ length: 20 }, (_, i) => exp.consumers.logs!.consume(logs(50, 1000, (round * 20 + i) * 50))));
    const limit = 1024 * 1024;
    const rotated = readdirSync(dir).filter((f) => f !== 'out.jsonl');
    expect(rotated.length).toBeGreaterThanOrEqual(4);
    for (const f of rotated) expect(statSync(join(dir, f)).size).toBeLessThanOrEqual(limit);
    expect(set.lines.filter((l) => /larger than rotation/.test(String(l.msg)))).toEqual([]);
    // Nothing lost or repeated across the files.
    const all = [...rotated.sort(), 'out.jsonl'].flatMap((f) => bodiesIn(readFileSync(join(dir, f), 'utf8'))).map(Number);
    expect(all.sort((a, b) => a - b)).toEqual(Array.from({ length: 5000 }, (_, i) => i));
    // One batch over the limit goes whole into one file, once, and the log says so.
    await exp.consumers.logs!.consume(logs(1200, 1000, 5000));
    await exp.consumers.logs!.consume(logs(1, 10, 6200));
    await exp.shutdown();
    const big = readdirSync(dir).filter((f) => f !== 'out.jsonl' && statSync(join(dir, f)).size > limit);
    expect(big).toHaveLength(1);
    expect(bodiesIn(readFileSync(join(dir, big[0]!), 'utf8'))).toHaveLength(1200);
    expect(set.lines.filter((l) => /larger than rotation.max_megabytes/.test(String(l.msg)))).toHaveLength(1);
  });

  it('compresses rotated files with zstd at the configured level', async () => {
    const dir = tempDir();
    const path = join(dir, 'out.jsonl');
    const { exp } = exporter({ path, rotation: { max_megabytes: 1 }, compression: 'zstd', compression_level: 12 });
    await exp.start();
    for (let i = 0; i < 30; i++) await exp.consumers.logs!.consume(logs(50, 1000, i * 50));
    await exp.shutdown();
    await waitUntil(() => readdirSync(dir).some((f) => f.endsWith('.jsonl.zst')) && !readdirSync(dir).some((f) => f !== 'out.jsonl' && f.endsWith('.jsonl')), 10_000);
    const zst = readdirSync(dir).filter((f) => f.endsWith('.jsonl.zst')).sort();
    const raw = Buffer.from(await unzstd(readFileSync(join(dir, zst[0]!)))).toString('utf8');
    expect(raw.length).toBeGreaterThan(statSync(join(dir, zst[0]!)).size * 10);
    const seqs = bodiesIn(raw).map(Number);
    expect(seqs[0]).toBe(0);
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBe(seqs[i - 1]! + 1);
  });

  it('cuts a partial last record left by a crash before appending (json and proto), so no acknowledged line glues onto it', async () => {
    const dir = tempDir();
    const path = join(dir, 'out.jsonl');
    const first = exporter({ path });
    await first.exp.start();
    await first.exp.consumers.logs!.consume(logs(2, 10, 0));
    await first.exp.shutdown();
    const whole = readFileSync(path, 'utf8');
    writeFileSync(path, whole + '{"resourceLogs":[{"resource":{"attri'); // a write cut short by kill -9
    const { exp, set } = exporter({ path });
    await exp.start();
    await exp.consumers.logs!.consume(logs(2, 10, 2));
    await exp.shutdown();
    expect(bodiesIn(readFileSync(path, 'utf8'))).toEqual(['0', '1', '2', '3']);
    expect(set.lines.filter((l) => /partial record/.test(String(l.msg)))).toHaveLength(1);

    const bin = join(dir, 'out.pb');
    const p1 = exporter({ path: bin, format: 'proto' });
    await p1.exp.start();
    await p1.exp.consumers.logs!.consume(logs(1, 10, 0));
    await p1.exp.shutdown();
    const good = readFileSync(bin);
    writeFileSync(bin, Buffer.concat([good, good.subarray(0, good.length - 3)]));
    const p2 = exporter({ path: bin, format: 'proto' });
    await p2.exp.start();
    await p2.exp.shutdown();
    expect(readFileSync(bin).equals(good)).toBe(true);
  });

  it('creates its directory 0750, whatever the umask', async () => {
    const dir = tempDir();
    const old = process.umask(0);
    try {
      const { exp } = exporter({ path: join(dir, 'a', 'b', 'out.jsonl') });
      await exp.start();
      await exp.shutdown();
    } finally {
      process.umask(old);
    }
    expect(statSync(join(dir, 'a')).mode & 0o777).toBe(0o750);
    expect(statSync(join(dir, 'a', 'b')).mode & 0o777).toBe(0o750);
    expect(statSync(join(dir, 'a', 'b', 'out.jsonl')).mode & 0o777).toBe(0o640);
  });

  const small = tmpfsForSuite('256k');

  it('refuses (retryably) what a full disk cannot take, acknowledges nothing unwritten, recovers when space returns', async (ctx) => {
    if (!small.mounted) ctx.skip();
    const filler = join(small.path, 'filler');
    execFileSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=1k', 'count=200'], { stdio: 'ignore' });
    const path = join(small.path, 'out.jsonl');
    const { exp, reg } = exporter({ path, flush_interval: 0 });
    await exp.start();
    const acked: number[] = [];
    let refused = 0;
    for (let i = 0; i < 40; i++) {
      try {
        await exp.consumers.logs!.consume(logs(10, 200, i * 10));
        acked.push(i);
      } catch (err) {
        expect(err).toBeInstanceOf(ConsumerError);
        expect((err as ConsumerError).kind).toBe('retryable');
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(0);
    expect(reg.renderPrometheus()).toMatch(/telemd_exporter_send_failed_items_total\{exporter="file",signal="logs"\} [1-9]/);
    // Every acknowledged batch is in the file, complete.
    const written = new Set(bodiesIn(readFileSync(path, 'utf8').split('\n').filter((l) => l.endsWith('}')).join('\n')));
    const missing = acked.flatMap((i) => Array.from({ length: 10 }, (_, j) => String(i * 10 + j))).filter((x) => !written.has(x));
    expect(missing, `acked ${acked.length}, refused ${refused}`).toEqual([]);
    // Space comes back: the next write goes through.
    rmSync(filler);
    await exp.consumers.logs!.consume(logs(1, 10, 9999));
    await exp.shutdown();
    expect(readFileSync(path, 'utf8')).toContain('"9999 xxxxxxxxxx"');
  });

  it('keeps writing when the output file vanished before a rotation (no wedged handle)', async () => {
    const dir = tempDir();
    const path = join(dir, 'out.jsonl');
    const { exp } = exporter({ path, flush_interval: 0, rotation: { max_megabytes: 1 } });
    await exp.start();
    await exp.consumers.logs!.consume(logs(1100, 1000)); // over 1 MiB: the next write rotates
    rmSync(path); // a cleanup job removed it
    for (let i = 0; i < 5; i++) await exp.consumers.logs!.consume(logs(1, 10, 10_000 + i));
    await exp.shutdown();
    expect(bodiesIn(readFileSync(path, 'utf8'))).toEqual(['10000', '10001', '10002', '10003', '10004']);
  });

  it('fails to start with a clear error when the path cannot be created', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'afile'), '');
    const { exp } = exporter({ path: join(dir, 'afile', 'out.jsonl') });
    await expect(exp.start()).rejects.toThrow(/cannot open output file .*afile/);
    expect(existsSync(join(dir, 'afile', 'out.jsonl'))).toBe(false);
  });
});
