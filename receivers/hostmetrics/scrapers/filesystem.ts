// system.filesystem.* from the mount table and statfs(2). Virtual filesystems (types marked
// `nodev` in /proc/filesystems: proc, sysfs, tmpfs, cgroup…) are skipped unless asked for.
import { statfsSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import type { MetricBuilder, MetricDefs } from '../metrics.js';
import type { ScrapeEnv, Scraper } from '../scraper.js';
import { fields, lines, tryReadText, unescapeOctal } from '../../../src/procfs/index.js';
import { keep, type Matcher } from '../filter.js';

export const filesystemDefs: MetricDefs = {
  'system.filesystem.usage': { description: 'Filesystem bytes used.', unit: 'By', kind: 'sum', int: true, enabled: true },
  'system.filesystem.inodes.usage': { description: 'FileSystem inodes used.', unit: '{inode}', kind: 'sum', int: true, enabled: true },
  'system.filesystem.utilization': { description: 'Fraction of filesystem bytes used.', unit: '1', kind: 'gauge', enabled: false },
};

export interface Mount {
  device: string;
  mountpoint: string;
  type: string;
  mode: 'rw' | 'ro';
}

/** Parses /proc/mounts; a mount point mounted over keeps only its last (visible) entry. */
export function parseMounts(text: string): Mount[] {
  const byPoint = new Map<string, Mount>();
  for (const line of lines(text)) {
    const f = fields(line);
    if (f.length < 4) continue;
    const opts = f[3]!.split(',');
    const m: Mount = {
      device: unescapeOctal(f[0]!),
      mountpoint: unescapeOctal(f[1]!),
      type: f[2]!,
      mode: opts.includes('ro') ? 'ro' : 'rw',
    };
    byPoint.delete(m.mountpoint);
    byPoint.set(m.mountpoint, m);
  }
  return [...byPoint.values()];
}

/** Types without a backing device (`nodev` in /proc/filesystems). */
export function virtualTypes(text: string): Set<string> {
  const out = new Set<string>();
  for (const line of lines(text)) {
    const f = fields(line);
    if (f[0] === 'nodev' && f[1]) out.add(f[1]);
  }
  return out;
}

export interface FilesystemOptions {
  includeVirtual: boolean;
  devices: [Matcher | undefined, Matcher | undefined];
  fsTypes: [Matcher | undefined, Matcher | undefined];
  mountPoints: [Matcher | undefined, Matcher | undefined];
  /** statfs can hang on a dead network mount: give up on that mount after this long. */
  statfsTimeoutMs: number;
}

export interface FsStats {
  bsize: number;
  blocks: number;
  bfree: number;
  bavail: number;
  files: number;
  ffree: number;
}

/**
 * Filesystems whose statfs answers from memory and cannot hang (no network, no userspace
 * server): asked synchronously. Any other type (nfs, cifs, fuse.*, ceph, …) is asked on the
 * thread pool with the `timeout`.
 */
const LOCAL_TYPES = new Set(['ext2', 'ext3', 'ext4', 'xfs', 'btrfs', 'vfat', 'exfat', 'f2fs', 'jfs', 'reiserfs', 'tmpfs', 'ramfs', 'devtmpfs', 'overlay', 'squashfs', 'iso9660']);

export class FilesystemScraper implements Scraper {
  readonly name = 'filesystem';
  readonly defs = filesystemDefs;
  /** Mounts whose statfs failed last time (e.g. unmounted between listing and statfs). */
  failures = 0;

  /** The mount table last read and the mounts it left after filtering (re-filtered only when it changes). */
  private table?: string;
  private mounts: Mount[] = [];

  constructor(
    private readonly opts: FilesystemOptions,
    /** Tests inject a statfs; then every mount is asked through it, with the timeout. */
    private readonly stat?: (path: string) => Promise<FsStats>,
  ) {}

  async scrape(b: MetricBuilder, env: ScrapeEnv): Promise<void> {
    // With root_path the host's table is pid 1's; otherwise our own view.
    const table = env.text(env.root ? env.proc('1/mounts') : '/proc/self/mounts');
    if (table !== this.table) {
      const virt = this.opts.includeVirtual ? undefined : virtualTypes(tryReadText(env.proc('filesystems')) ?? '');
      const o = this.opts;
      this.mounts = parseMounts(table).filter(
        (m) =>
          !(virt && (virt.has(m.type) || m.device === 'none')) &&
          keep(o.devices[0], o.devices[1], m.device) &&
          keep(o.fsTypes[0], o.fsTypes[1], m.type) &&
          keep(o.mountPoints[0], o.mountPoints[1], m.mountpoint),
      );
      this.table = table;
    }
    const mounts = this.mounts;
    const results: (FsStats | undefined)[] = new Array(mounts.length);
    const pending: Promise<void>[] = [];
    for (let i = 0; i < mounts.length; i++) {
      const m = mounts[i]!;
      const path = env.root + m.mountpoint;
      if (!this.stat && LOCAL_TYPES.has(m.type)) {
        try {
          results[i] = statfsSync(path);
        } catch {
          results[i] = undefined;
        }
      } else pending.push(this.statWithTimeout(path).then((st) => void (results[i] = st)));
    }
    if (pending.length) await Promise.all(pending);
    this.failures = 0;
    for (let i = 0; i < mounts.length; i++) {
      const st = results[i];
      if (!st) {
        this.failures++;
        continue;
      }
      const m = mounts[i]!;
      const base = { device: m.device, mode: m.mode, mountpoint: m.mountpoint, type: m.type };
      const used = (st.blocks - st.bfree) * st.bsize;
      const free = st.bavail * st.bsize;
      const reserved = (st.bfree - st.bavail) * st.bsize;
      b.add('system.filesystem.usage', used, { ...base, state: 'used' }, env.bootNs);
      b.add('system.filesystem.usage', free, { ...base, state: 'free' }, env.bootNs);
      b.add('system.filesystem.usage', reserved, { ...base, state: 'reserved' }, env.bootNs);
      b.add('system.filesystem.inodes.usage', st.files - st.ffree, { ...base, state: 'used' }, env.bootNs);
      b.add('system.filesystem.inodes.usage', st.ffree, { ...base, state: 'free' }, env.bootNs);
      // As df's Use%: reserved blocks are not available to users.
      if (used + free > 0) b.add('system.filesystem.utilization', used / (used + free), base, 0n);
    }
  }

  private statWithTimeout(path: string): Promise<FsStats | undefined> {
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(undefined), this.opts.statfsTimeoutMs);
      (this.stat ?? statfs)(path).then(
        (st) => {
          clearTimeout(t);
          resolve(st);
        },
        () => {
          clearTimeout(t);
          resolve(undefined);
        },
      );
    });
  }
}
