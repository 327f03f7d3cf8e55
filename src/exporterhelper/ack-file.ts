// The persistent queue's ack pointer, overwritten in place: two 32-byte slots written in turn,
// each with a generation and a CRC, so a write torn by a power loss leaves the other slot
// (the previous pointer: at worst a few batches sent twice). One pwrite + fdatasync per
// update, instead of the create/rename/directory-fsync of an atomic file replace.
import { open, type FileHandle } from 'node:fs/promises';
import { crc32 } from './record.js';
import { fsyncDir } from '../storage/fsutil.js';
import { dirname } from 'node:path';

const SLOT = 32;
const MAGIC = 0x4b434154; // 'TACK'

// slot: magic u32 | generation u64 | ack u64 | crc32 of the 20 bytes before it
function parseSlot(b: Buffer, off: number): { gen: number; ack: number } | undefined {
  if (b.length < off + 24 || b.readUInt32LE(off) !== MAGIC) return undefined;
  if (crc32(b.subarray(off, off + 20)) !== b.readUInt32LE(off + 20)) return undefined;
  return { gen: Number(b.readBigUInt64LE(off + 4)), ack: Number(b.readBigUInt64LE(off + 12)) };
}

export class AckFile {
  private gen = 0;

  private constructor(
    private readonly fh: FileHandle,
    private readonly fsync: boolean,
  ) {}

  /** Opens (creating) the file; `value` is the stored pointer, undefined when none is readable. */
  static async open(path: string, fsync: boolean): Promise<{ file: AckFile; value: number | undefined; damaged: boolean }> {
    let fh: FileHandle;
    let created = false;
    try {
      fh = await open(path, 'r+');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      fh = await open(path, 'w+', 0o640);
      // Allocated now, so that later in-place writes need no space even on a full disk.
      await fh.write(Buffer.alloc(2 * SLOT), 0, 2 * SLOT, 0);
      if (fsync) await fh.sync();
      created = true;
    }
    const buf = Buffer.alloc(2 * SLOT);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    const slots = [parseSlot(buf.subarray(0, bytesRead), 0), parseSlot(buf.subarray(0, bytesRead), SLOT)].filter((s) => s !== undefined);
    const best = slots.sort((a, b) => b.gen - a.gen)[0];
    const file = new AckFile(fh, fsync);
    file.gen = best?.gen ?? 0;
    if (created && fsync) await fsyncDir(dirname(path));
    // All zeros = created but never written (a crash right after creating it): not damage.
    const damaged = best === undefined && buf.subarray(0, bytesRead).some((x) => x !== 0);
    return { file, value: best?.ack, damaged };
  }

  async write(ack: number): Promise<void> {
    this.gen++;
    const b = Buffer.alloc(SLOT);
    b.writeUInt32LE(MAGIC, 0);
    b.writeBigUInt64LE(BigInt(this.gen), 4);
    b.writeBigUInt64LE(BigInt(ack), 12);
    b.writeUInt32LE(crc32(b.subarray(0, 20)), 20);
    await this.fh.write(b, 0, SLOT, (this.gen % 2) * SLOT);
    if (this.fsync) await this.fh.datasync();
  }

  close(): Promise<void> {
    return this.fh.close();
  }
}
