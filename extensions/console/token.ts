// The console's bearer token in a file readable only by the agent's user: created at first start
// (32 random bytes, base64url, mode 0600) and re-read when it changes, so rotating it needs no
// restart. (Stand-in until the core's src/security/token.ts lands; the same rules.)
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync, openSync, readFileSync, statSync, writeSync, closeSync } from 'node:fs';
import { dirname } from 'node:path';

export interface TokenFile {
  /** Constant-time comparison with the current token. */
  matches(candidate: string): boolean;
  /** Whether the file was created by this start. */
  readonly created: boolean;
  readonly path: string;
}

function read(path: string): Buffer {
  const t = readFileSync(path, 'utf8').trim();
  if (t === '') throw new Error(`token file ${path} is empty`);
  return Buffer.from(t);
}

/** Opens (or creates) the token file; throws with the path named when it is unusable. */
export function openTokenFile(path: string, warn: (msg: string) => void): TokenFile {
  let created = false;
  try {
    statSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`token file ${path}: ${(err as Error).message}`);
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, `${randomBytes(32).toString('base64url')}\n`);
      closeSync(fd);
      created = true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new Error(`cannot create token file ${path}: ${(e as Error).message}`);
    }
  }
  const st = statSync(path);
  if (!st.isFile()) throw new Error(`token file ${path} is not a regular file`);
  if ((st.mode & 0o077) !== 0) warn(`token file ${path} is readable by other users (mode ${(st.mode & 0o777).toString(8)}); chmod 600 it`);
  let token = read(path);
  let mtime = st.mtimeMs;
  let checkedAt = Date.now();
  const current = (): Buffer => {
    const now = Date.now();
    if (now - checkedAt < 1000) return token;
    checkedAt = now;
    try {
      const s = statSync(path);
      if (s.mtimeMs !== mtime) {
        token = read(path);
        mtime = s.mtimeMs;
      }
    } catch {
      // A file being replaced: keep the token we have until the new one is readable.
    }
    return token;
  };
  return {
    created,
    path,
    matches(candidate) {
      const want = current();
      const got = Buffer.from(candidate);
      // Compare equal-length buffers only; a length mismatch still costs one comparison.
      if (got.length !== want.length) {
        timingSafeEqual(want, want);
        return false;
      }
      return timingSafeEqual(got, want);
    },
  };
}
