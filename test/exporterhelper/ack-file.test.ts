import { describe, expect, it } from 'vitest';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AckFile } from '../../src/exporterhelper/ack-file.js';
import { tempDir } from '../storage/helpers.js';

describe('ack pointer file', () => {
  it('keeps the latest value across reopen', async () => {
    const path = join(await tempDir(), 'ack');
    const a = await AckFile.open(path, true);
    expect(a.value).toBeUndefined();
    expect(a.damaged).toBe(false);
    for (const v of [1, 5, 9, 2 ** 40]) await a.file.write(v);
    await a.file.close();
    const b = await AckFile.open(path, true);
    expect(b.value).toBe(2 ** 40);
    expect(b.damaged).toBe(false);
    await b.file.write(2 ** 40 + 1);
    await b.file.close();
    expect((await AckFile.open(path, true)).value).toBe(2 ** 40 + 1);
  });

  it('falls back to the previous value when the last write was torn', async () => {
    const path = join(await tempDir(), 'ack');
    const a = await AckFile.open(path, true);
    await a.file.write(10);
    await a.file.write(11);
    await a.file.close();
    // The write of 11 went to slot 0 (generation 2): tear it.
    const buf = await readFile(path);
    buf[14] ^= 0xff;
    await writeFile(path, buf);
    const b = await AckFile.open(path, true);
    expect(b.value).toBe(10);
    await b.file.close();
  });
});
