import { open, readFile, rm } from 'node:fs/promises';
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

export async function acquireDirLock(dir: string): Promise<() => Promise<void>> {
  const path = join(dir, '.telemd.lock');
  // The token tells two instances of one process apart (a reload may start the new one first).
  const me = `${process.pid} ${(await startTime(process.pid)) ?? '?'} ${randomBytes(6).toString('hex')}\n`;
  for (let i = 0; i < 2; i++) {
    try {
      const fh = await open(path, 'wx', 0o640);
      await fh.writeFile(me);
      await fh.close();
      return async () => {
        const cur = await readFile(path, 'utf8').catch(() => '');
        if (cur === me) await rm(path, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const [pidText, st] = (await readFile(path, 'utf8').catch(() => '')).trim().split(' ');
      const pid = Number(pidText);
      const live = pid > 0 && pid !== process.pid && st !== undefined && (await startTime(pid)) === st;
      if (live) throw new Error(`state directory ${dir} is in use by another telemd (pid ${pid}); give each agent its own directory`);
      await rm(path, { force: true });
    }
  }
  throw new Error(`could not lock state directory ${dir}`);
}
