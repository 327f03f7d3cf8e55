import { appendFileSync, writeFileSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ReadAhead } from '../../receivers/filelog/read-ahead.js';
import { tempDir } from '../helpers/agent.js';

/** Reads the whole file through `ra` with destinations of `len` bytes, from `pos`. */
async function readAll(ra: ReadAhead, len: number, pos = 0): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (;;) {
    const b = Buffer.alloc(len);
    const n = await ra.read(b, 0, len, pos);
    if (n === 0) return Buffer.concat(parts);
    parts.push(b.subarray(0, n));
    pos += n;
  }
}

const content = Buffer.from(Array.from({ length: 50_000 }, (_, i) => `line ${i}\n`).join(''));

/** A real file holding `content`, open for reading while `fn` runs. */
async function withFile(fn: (fh: FileHandle, path: string) => Promise<void>): Promise<void> {
  const path = join(tempDir(), 'a.log');
  writeFileSync(path, content);
  const fh = await open(path, 'r');
  try {
    await fn(fh, path);
  } finally {
    await fh.close();
  }
}

describe('filelog read-ahead', () => {
  it('returns exactly the file bytes whatever the destination size', () =>
    withFile(async (fh) => {
      for (const len of [1000, 4096, 65_536, 100_000]) expect((await readAll(new ReadAhead(fh, 4096), len)).equals(content)).toBe(true);
    }));

  it('sees bytes appended after it reached the end, and follows a rewind', () =>
    withFile(async (fh, path) => {
      const ra = new ReadAhead(fh, 4096);
      const first = await readAll(ra, 4096);
      expect(first.length).toBe(content.length);
      appendFileSync(path, 'tail line\n');
      const more = await readAll(ra, 4096, content.length);
      expect(more.toString()).toBe('tail line\n');
      // The reader moves back (a refused batch is read again): nothing stale is served.
      ra.reset();
      const again = await readAll(ra, 3000, 10);
      expect(again.equals(Buffer.concat([content, Buffer.from('tail line\n')]).subarray(10))).toBe(true);
    }));

  it('a position other than the one read ahead is read directly', () =>
    withFile(async (fh) => {
      const ra = new ReadAhead(fh, 4096);
      const b = Buffer.alloc(4096);
      await ra.read(b, 0, 4096, 0); // starts a read ahead at 4096
      const n = await ra.read(b, 0, 100, 20_000);
      expect(b.subarray(0, n).equals(content.subarray(20_000, 20_100))).toBe(true);
    }));
});
