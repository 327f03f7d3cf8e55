import { open, readFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

// Two agents writing one state directory would corrupt each other's queues. The lock records
// pid + process start time, so a lock left by a kill -9 (or a reused pid) is not mistaken for a
// live owner.
async function startTime(pid: number): Promise<string | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[0] === 'Z' || fields[0] === 'X' ? undefined : fields[19];
  } catch {
    return undefined;
  }
}

// The lock file has a fixed size and is never deleted: taking and releasing it overwrite the
// same bytes in place, which needs no free space. Otherwise a full disk (often filled by the
// queue itself) would stop the agent from starting, and so from draining the queue.
const LOCK_BYTES = 128;
const FREE = pad('');

function pad(s: string): Buffer {
  const b = Buffer.alloc(LOCK_BYTES, ' ');
  b.write(s.slice(0, LOCK_BYTES - 1));
  b[LOCK_BYTES - 1] = 0x0a;
  return b;
}

function noSpace(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}

async function overwrite(fh: FileHandle, b: Buffer): Promise<void> {
  const { bytesWritten } = await fh.write(b, 0, b.length, 0);
  if (bytesWritten !== b.length) throw new Error(`short write (${bytesWritten} of ${b.length} bytes)`);
}

export type LockWarn = (msg: string, fields: Record<string, unknown>) => void;

export async function acquireDirLock(dir: string, warn: LockWarn = () => {}): Promise<() => Promise<void>> {
  const path = join(dir, '.telemd.lock');
  // The token tells two instances of one process apart (a reload may start the new one first).
  const me = pad(`${process.pid} ${(await startTime(process.pid)) ?? '?'} ${randomBytes(6).toString('hex')}`);
  let fh: FileHandle;
  try {
    fh = await open(path, 'r+');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    // 'wx+': of two agents creating it at once, one gets EEXIST and reads the other's lock.
    fh = await open(path, 'wx+', 0o640).catch((e: NodeJS.ErrnoException) => (e.code === 'EEXIST' ? open(path, 'r+') : Promise.reject(e)));
  }
  try {
    const cur = await fh.readFile('utf8');
    const [pidText, st] = cur.trim().split(/ +/);
    const pid = Number(pidText);
    const live = pid > 0 && pid !== process.pid && st !== undefined && (await startTime(pid)) === st;
    if (live) throw new Error(`state directory ${dir} is in use by another telemd (pid ${pid}); give each agent its own directory`);
    try {
      await overwrite(fh, me);
    } catch (err) {
      // Only a new (or truncated) lock file needs space. Starting matters more than recording
      // the owner: the queues in the directory can only drain if the agent runs.
      if (!noSpace(err)) throw err;
      warn('disk full, the state directory lock could not be recorded (another agent could take the directory)', {
        directory: dir,
        error: (err as Error).message,
      });
      return async () => {};
    }
    // Two agents that both found a stale lock: the last writer owns it.
    const check = Buffer.alloc(LOCK_BYTES);
    await fh.read(check, 0, LOCK_BYTES, 0);
    if (!check.equals(me)) throw new Error(`state directory ${dir} was just locked by another telemd; give each agent its own directory`);
  } finally {
    await fh.close();
  }
  // Best effort: a lock left behind is recognised as stale by the next start anyway.
  return async () => {
    const lock = await open(path, 'r+').catch(() => undefined);
    if (!lock) return;
    try {
      const cur = Buffer.alloc(LOCK_BYTES);
      await lock.read(cur, 0, LOCK_BYTES, 0);
      if (cur.equals(me)) await overwrite(lock, FREE);
    } catch {
      // see above
    } finally {
      await lock.close().catch(() => {});
    }
  };
}
