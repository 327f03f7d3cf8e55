// The bearer token that guards what changes the agent or shows its data (health_check's
// POST /reload, the console): one file, readable only by the agent's user, created at first
// start (32 random bytes, base64url, mode 0600) and re-read when it changes, so rotating it needs
// no restart. Compared in constant time.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, statSync, writeSync, type Stats } from 'node:fs';
import { dirname, join } from 'node:path';

export interface TokenFile {
  /** Constant-time comparison with the current token. */
  matches(candidate: string): boolean;
  /**
   * A key derived from the current token for `purpose` (HMAC-SHA256): what is signed with it
   * (the console's session cookies) stops being valid when the token is rotated.
   */
  derive(purpose: string): Buffer;
  /** Whether the file was created by this start. */
  readonly created: boolean;
  readonly path: string;
}

/** The agent's state directory: systemd's $STATE_DIRECTORY, /var/lib/telemd as root, else ./data/state. */
export function defaultStateDirectory(): string {
  const sd = process.env.STATE_DIRECTORY;
  if (sd) return sd.split(':')[0]!;
  return typeof process.getuid === 'function' && process.getuid() === 0 ? '/var/lib/telemd' : './data/state';
}

/** The one token file health_check and the console share unless configured otherwise. */
export function defaultTokenPath(): string {
  return join(defaultStateDirectory(), 'console.token');
}

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const m = header ? /^Bearer\s+(\S+)\s*$/i.exec(header.trim()) : null;
  return m ? m[1] : undefined;
}

function read(path: string): Buffer {
  const t = readFileSync(path, 'utf8').trim();
  if (t === '') throw new Error(`token file ${path} is empty`);
  return Buffer.from(t);
}

/** Refuses a file others could read or have planted (a token anyone can know guards nothing). */
function check(path: string): Stats {
  const st = statSync(path);
  if (!st.isFile()) throw new Error(`token file ${path} is not a regular file`);
  if ((st.mode & 0o077) !== 0)
    throw new Error(`token file ${path} can be read or written by other users (mode ${(st.mode & 0o777).toString(8).padStart(4, '0')}); run chmod 600 ${path}`);
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid && st.uid !== 0)
    throw new Error(`token file ${path} belongs to uid ${st.uid}, not to this agent's user (uid ${uid}) or root`);
  return st;
}

/** Opens (or creates) the token file; throws, naming the path, when it is unusable. */
export function openTokenFile(path: string): TokenFile {
  let created = false;
  try {
    statSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`token file ${path}: ${(err as Error).message}`);
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    try {
      // O_EXCL: never write into a file someone else made in the meantime.
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, `${randomBytes(32).toString('base64url')}\n`);
      closeSync(fd);
      created = true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new Error(`cannot create token file ${path}: ${(e as Error).message}`);
    }
  }
  let mtime = check(path).mtimeMs;
  let token = read(path);
  let checkedAt = Date.now();
  const current = (): Buffer => {
    const now = Date.now();
    if (now - checkedAt < 1000) return token;
    checkedAt = now;
    try {
      const st = check(path);
      if (st.mtimeMs !== mtime) {
        token = read(path);
        mtime = st.mtimeMs;
      }
    } catch {
      // Being replaced, or now unsafe: keep the token we have until a safe one is readable.
    }
    return token;
  };
  return {
    created,
    path,
    derive(purpose) {
      return createHmac('sha256', current()).update(`telemd:${purpose}`).digest();
    },
    matches(candidate) {
      const want = current();
      const got = Buffer.from(candidate);
      // timingSafeEqual needs equal lengths; a length mismatch still costs one comparison.
      if (got.length !== want.length) {
        timingSafeEqual(want, want);
        return false;
      }
      return timingSafeEqual(got, want);
    },
  };
}
