// Durable file primitives shared by file_storage and the persistent queue.
import { open, rename, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

/** fsync a directory so that created/renamed/deleted entries survive a power loss. */
export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Replace `path` atomically: write a temp file beside it, fsync it, rename over, fsync the
 * directory. A crash at any point leaves either the old or the new content.
 */
export async function writeFileAtomic(path: string, data: Uint8Array | string, fsync = true): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fh = await open(tmp, 'w', 0o640);
  try {
    await fh.writeFile(data);
    if (fsync) await fh.sync();
  } catch (err) {
    await fh.close().catch(() => {});
    await rm(tmp, { force: true });
    throw err;
  }
  await fh.close();
  try {
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  if (fsync) await fsyncDir(dir);
}

/**
 * A component id or key as one safe file name: [A-Za-z0-9_.-] kept, anything else as `~XX`
 * (reversible, so two different ids never share a file).
 */
export function safeName(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b);
    out += /[A-Za-z0-9_.-]/.test(c) && !(out === '' && c === '.') ? c : `~${b.toString(16).padStart(2, '0')}`;
  }
  return out === '' ? '~' : out;
}
