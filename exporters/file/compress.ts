// Compression of rotated files: gzip (zlib) or zstd. Node 20 has no zstd, so it comes from
// @hpcc-js/wasm-zstd (the reference library built to WebAssembly: installs from the registry
// alone, no native build). Files are streamed through in chunks, never read whole.
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import { createGzip, constants } from 'node:zlib';
import type { Zstd } from '@hpcc-js/wasm-zstd';

export type Compression = 'gzip' | 'zstd';

export function suffixOf(c: Compression): string {
  return c === 'gzip' ? '.gz' : '.zst';
}

/** The level of each compression when none is configured (zstd's own default is 3; 9 costs little more time on logs and saves ~15 %). */
export const DEFAULT_LEVEL: Record<Compression, number> = { gzip: constants.Z_DEFAULT_COMPRESSION, zstd: 9 };

let zstd: Promise<Zstd> | undefined;
/** The zstd instance streams one file at a time: compressions queue behind each other. */
let zstdTurn: Promise<unknown> = Promise.resolve();

function loadZstd(): Promise<Zstd> {
  return (zstd ??= import('@hpcc-js/wasm-zstd').then((m) => m.Zstd.load()));
}

/** Compress `path` into `path` + suffix; resolves with the new file's path. */
export async function compressFile(path: string, c: Compression, level?: number): Promise<string> {
  const out = `${path}${suffixOf(c)}`;
  if (c === 'gzip') {
    await pipeline(createReadStream(path), createGzip({ level: level ?? DEFAULT_LEVEL.gzip }), createWriteStream(out, { mode: 0o640 }));
    return out;
  }
  const run = zstdTurn.then(() => zstdFile(path, out, level ?? DEFAULT_LEVEL.zstd));
  zstdTurn = run.catch(() => undefined);
  await run;
  return out;
}

async function zstdFile(path: string, out: string, level: number): Promise<void> {
  const z = await loadZstd();
  const ws = createWriteStream(out, { mode: 0o640 });
  const write = async (b: Uint8Array) => {
    if (b.length > 0 && !ws.write(b)) await once(ws, 'drain');
  };
  try {
    z.reset();
    z.setCompressionLevel(level);
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) await write(z.compressChunk(chunk as Buffer));
    await write(z.compressEnd());
    ws.end();
    await once(ws, 'finish');
  } catch (err) {
    ws.destroy();
    throw err;
  }
}

/** zstd decompression of a whole buffer (tests, benchmarks, and anyone reading the files back). */
export async function unzstd(b: Uint8Array): Promise<Uint8Array> {
  const run = zstdTurn.then(async () => (await loadZstd()).decompress(b));
  zstdTurn = run.catch(() => undefined);
  return run;
}
