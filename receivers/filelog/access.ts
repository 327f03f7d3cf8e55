// Which matched files the receiver may open, and opening them without a race. A local user who
// can write into a watched folder must not make telemd (often root) read what that user cannot:
// `ln -s /etc/shadow logs/evil.log`, a file swapped for a link between the check and the open,
// a FIFO that blocks the reader. See README "Security".
import { constants, type Stats } from 'node:fs';
import { lstat, open, realpath, stat, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import picomatch from 'picomatch';

export type Refusal = 'symlink_outside' | 'owner' | 'not_regular' | 'changed';

export type Checked = { ok: true; fh: FileHandle; target: string; st: Stats } | { ok: false; reason: Refusal; detail: string };

export interface AccessConfig {
  include: string[];
  follow_symlinks: boolean;
  symlink_targets: string[];
}

/** The folder a pattern cannot leave: everything before its first glob character. */
export function patternBase(p: string): string {
  const i = p.search(/[*?[{]/);
  return i < 0 ? dirname(p) : dirname(p.slice(0, i) + 'x');
}

// O_NONBLOCK: a FIFO put in place of a file must not block the reader (no effect on files).
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

export class FileAccess {
  /** Pattern folders with their symlinks resolved (undefined until the folder exists). */
  private readonly bases: { dir: string; real?: string }[];
  private readonly allowTarget: (p: string) => boolean;
  private readonly asRoot: boolean;

  constructor(private readonly cfg: AccessConfig) {
    this.bases = [...new Set(cfg.include.map(patternBase))].map((dir) => ({ dir }));
    this.allowTarget = cfg.symlink_targets.length ? picomatch(cfg.symlink_targets, { dot: true }) : () => false;
    this.asRoot = process.geteuid?.() === 0;
  }

  get baseDirs(): string[] {
    return this.bases.map((b) => b.dir);
  }

  private async inside(real: string): Promise<boolean> {
    for (const b of this.bases) {
      b.real ??= await realpath(b.dir).catch(() => undefined);
      if (b.real && (real.startsWith(b.real.endsWith('/') ? b.real : b.real + '/'))) return true;
    }
    return false;
  }

  /**
   * Decide, then open with O_NOFOLLOW and compare the descriptor's device and inode with what
   * was checked (the path may have been swapped in between). The caller owns `fh` on success.
   */
  async open(path: string): Promise<Checked> {
    const real = await realpath(path);
    if (real !== path && !this.cfg.follow_symlinks && !(await this.inside(real)) && !this.allowTarget(real))
      return { ok: false, reason: 'symlink_outside', detail: `resolves to ${real}, outside the include folders (${this.baseDirs.join(', ')})` };
    // `real` has no symlink left in it: what is checked is what is opened, or the open fails.
    const st = await lstat(real);
    if (!st.isFile()) return { ok: false, reason: 'not_regular', detail: `${real} is not a regular file` };
    if (this.asRoot && st.uid !== 0) {
      const dirOwner = (await stat(dirname(real))).uid;
      if (st.uid !== dirOwner)
        return { ok: false, reason: 'owner', detail: `${real} is owned by uid ${st.uid}, neither root nor the owner of its folder (uid ${dirOwner})` };
    }
    return this.openChecked(real, st);
  }

  /** Open `real` only if it is still the file `st` describes. */
  async openChecked(real: string, st: Stats): Promise<Checked> {
    let fh: FileHandle;
    try {
      fh = await open(real, OPEN_FLAGS);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // ELOOP: the last component became a symlink after the check.
      if (code === 'ELOOP') return { ok: false, reason: 'changed', detail: `${real} became a symlink after it was checked` };
      throw err;
    }
    const now = await fh.stat();
    if (now.dev !== st.dev || now.ino !== st.ino || !now.isFile()) {
      await fh.close().catch(() => {});
      return { ok: false, reason: 'changed', detail: `${real} was replaced between the check and the open` };
    }
    return { ok: true, fh, target: real, st: now };
  }

  /** Folders a user other than their owner may write into (message per folder), for a warning. */
  static async writableByOthers(dir: string): Promise<string | undefined> {
    let st: Stats;
    try {
      st = await stat(dir);
    } catch {
      return undefined;
    }
    if (!st.isDirectory() || (st.mode & 0o022) === 0) return undefined;
    const who = st.mode & 0o002 ? 'every user' : `members of group ${st.gid}`;
    const sticky = st.mode & 0o1000 ? ' (sticky: they cannot rename or delete files of others, but can add files and symlinks)' : '';
    return `${who} can create files and symlinks in it (mode ${(st.mode & 0o7777).toString(8).padStart(4, '0')}, owner uid ${st.uid})${sticky}`;
  }
}
