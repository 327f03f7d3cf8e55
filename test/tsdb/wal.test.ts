import { describe, expect, it } from 'vitest';
import { appendFile, readdir, readFile, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { points, sample, series, storesClosedAfterEach } from './helpers.js';

const T0 = 1_700_000_000_000;
const stores = storesClosedAfterEach();

/** A store with `n` appends of 3 samples each (one WAL record per append), closed. */
async function written(n: number): Promise<{ dir: string; seg: string }> {
  const dir = await stores.dir();
  const db = await stores.open({}, dir);
  for (let i = 0; i < n; i++) await db.append([sample('a', {}, T0 + i * 1000, i), sample('b', {}, T0 + i * 1000, -i), sample('c', { x: 'y' }, T0 + i * 1000, i / 2)]);
  await db.close();
  const segs = (await readdir(join(dir, 'wal'))).sort();
  return { dir, seg: join(dir, 'wal', segs[segs.length - 1]!) };
}

describe('history WAL replay', () => {
  it('skips a torn tail record, counts it once, and cuts it off', async () => {
    const { dir, seg } = await written(50);
    const size = (await stat(seg)).size;
    await truncate(seg, size - 5); // the last record lost its end, as a kill during write(2) leaves it
    let db = await stores.open({}, dir);
    let r = db.stats().replay;
    expect(r.tornTail).toBe(1);
    expect(r.corruptRecords).toBe(0);
    expect(r.samples).toBe(49 * 3);
    expect(points((await series(db, 'a'))[0]).map(([, v]) => v)).toEqual(Array.from({ length: 49 }, (_, i) => i));
    await db.append([sample('a', {}, T0 + 49_000, 49)]);
    await db.close();
    db = await stores.open({}, dir);
    r = db.stats().replay;
    expect(r.tornTail).toBe(0);
    expect(r.samples).toBe(49 * 3 + 1);
    expect(points((await series(db, 'a'))[0]).length).toBe(50);
  });

  it('skips a corrupt record in the middle and replays the records after it', async () => {
    const { dir, seg } = await written(20);
    const buf = await readFile(seg);
    // Flip a value byte in the 10th samples record (found by its magic), leaving its header.
    let at = -1;
    for (let k = 0, i = buf.indexOf('TW', 0, 'latin1'); i >= 0; i = buf.indexOf('TW', i + 1, 'latin1')) if (buf[i + 2] === 2 && ++k === 10) (at = i);
    expect(at).toBeGreaterThan(0);
    buf[at + 30] ^= 0xff;
    await writeFile(seg, buf);
    const db = await stores.open({}, dir);
    const r = db.stats().replay;
    expect(r.corruptRecords).toBe(1);
    expect(r.tornTail).toBe(0);
    expect(r.samples).toBe(19 * 3);
    const a = points((await series(db, 'a'))[0]).map(([, v]) => v);
    expect(a).toEqual(Array.from({ length: 20 }, (_, i) => i).filter((i) => i !== 9));
  });

  it('treats garbage after the last record as a torn tail, and an empty WAL as none', async () => {
    const { dir, seg } = await written(5);
    await appendFile(seg, Buffer.from('TW\x02\x00\xff\xff\x00\x00 not a record at all'));
    const db = await stores.open({}, dir);
    expect(db.stats().replay).toMatchObject({ tornTail: 1, corruptRecords: 0, samples: 15 });
    const fresh = await stores.open();
    expect(fresh.stats().replay).toMatchObject({ segments: 0, samples: 0, tornTail: 0 });
  });
});
