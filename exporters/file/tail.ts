// A write cut short by a crash (SIGKILL can end a large write part way) leaves a partial record
// at the end of the output file. It was never acknowledged, so it is sent again; but a line
// appended after it would glue onto it and turn the next, acknowledged, record unreadable. On
// open, the file is cut back to its last complete record.
import type { promises as fsp } from 'node:fs';

const CHUNK = 1 << 20;

/** Length of the file's complete records: up to the last '\n' (json), or the last whole length-prefixed record (proto). */
export async function completeLength(fh: fsp.FileHandle, size: number, format: 'json' | 'proto'): Promise<number> {
  if (size === 0) return 0;
  if (format === 'proto') {
    const head = Buffer.alloc(4);
    let off = 0;
    while (off + 4 <= size) {
      const { bytesRead } = await fh.read(head, 0, 4, off);
      if (bytesRead < 4) break;
      const next = off + 4 + head.readUInt32BE(0);
      if (next > size) break;
      off = next;
    }
    return off;
  }
  const buf = Buffer.allocUnsafe(CHUNK);
  for (let end = size; end > 0; ) {
    const start = Math.max(0, end - CHUNK);
    const { bytesRead } = await fh.read(buf, 0, end - start, start);
    const nl = buf.subarray(0, bytesRead).lastIndexOf(0x0a);
    if (nl >= 0) return start + nl + 1;
    end = start;
  }
  return 0;
}
