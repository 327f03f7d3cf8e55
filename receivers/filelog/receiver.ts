// The filelog receiver: finds files by glob every poll_interval, reads them to their end,
// hands batches downstream and advances each file's checkpoint only when the batch holding
// its lines was acknowledged. A refused batch is re-read from the file after a pause.
import { fstatSync, watch, type FSWatcher } from 'node:fs';
import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import picomatch from 'picomatch';
import { glob } from 'tinyglobby';
import type { CreateSettings, Host, Receiver } from '../../src/component/component.js';
import { isPermanent, type ConsumerError, type LogsConsumer } from '../../src/component/consumer.js';
import type { Attributes, AnyValue, LogRecord } from '../../src/pdata/types.js';
import { nowNanos } from '../../src/pdata/time.js';
import { buildPipeline, logsByResource, EntryResult, type StanzaPipeline } from '../../src/stanza/index.js';
import type { Counter } from '../../src/telemetry/self.js';
import { FileAccess, patternBase, type Refusal } from './access.js';
import { CheckpointStore, type Checkpoints, type FileCheckpoint } from './checkpoint.js';
import { ByteBudget } from '../../src/memory/byte-budget.js';
import type { Config } from './config.js';
import { GzipSource } from './gzip.js';
import { multilineCombiner, passThrough } from './multiline.js';
import { baseName, fileKey, readHead, sameStart, startsWithAll, TrackedFile, type InFlight } from './tracked.js';
import { hostResource } from '../../src/resource/host.js';

/** Batches in flight downstream at once, over all files. */
const MAX_IN_FLIGHT = 16;
/**
 * Estimated memory of the records in flight downstream at once (their text plus RECORD_COST
 * each), over all files: what the pipeline holds until it acknowledges. One batch always goes.
 * 16 batches of short lines fit (~13 of 8192 × 107 bytes); long lines (max_log_size 1 MiB) no
 * longer multiply: 16 × 8192 of them would be 128 GiB. Lower costs throughput while the file
 * exporter's group commit waits for 4 MiB or flush_interval (docs/memory.md).
 */
const IN_FLIGHT_BYTES = 32 * 1024 * 1024;
/** Heap bytes of one record besides its text: the LogRecord, its attributes, the array slot (measured: docs/memory.md). */
const RECORD_COST = 200;
/** Polls an unmatched, drained file is kept open (a writer may still hold it briefly). */
const RELEASE_AFTER_POLLS = 2;
/** Polls a forgotten identity (checkpoint, truncated content) stays matchable. */
const FORGET_AFTER_POLLS = 10;
/** Polls a new file that starts like a live one waits (it may be a copytruncate copy). */
const COPY_WAIT_POLLS = 5;
/** How long shutdown waits for acknowledgements still in flight. */
const SHUTDOWN_ACK_WAIT_MS = 5000;
/** Longest stretch one file is read before the poll loop runs again. */
const READ_BUDGET_MS = 1000;
/** Longest poll interval while nothing happens and inotify watches every pattern folder. */
const IDLE_POLL_MS = 1000;

interface Dormant extends FileCheckpoint {
  seenPoll: number;
  restored: boolean;
}

interface Matched {
  path: string;
  size: number;
  dev: number;
  ino: number;
  ctimeMs: number;
  regular: boolean;
}

interface Orphan {
  fp: Buffer;
  offset: number;
  poll: number;
}

export class FileLogReceiver implements Receiver {
  private active = new Map<string, TrackedFile>();
  private dormant = new Map<string, Dormant>();
  private orphans: Orphan[] = [];
  private deferred = new Map<string, number>();
  private pollNo = 0;
  private firstRun = true;
  private stopping = false;
  private loopDone: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private wakeAlways: (() => void) | undefined;
  private sleepTimer: NodeJS.Timeout | undefined;
  /** A file stopped reading at READ_BUDGET_MS with more to read: poll again at once. */
  private backlog = false;
  /** Something happened since the last poll (data read, files changed, inotify event). */
  private activity = true;
  /** inotify watches every pattern folder (set once at start). */
  private watchedAll = false;
  private watchers: FSWatcher[] = [];
  private pausedUntil = 0;
  private backoffMs: number;
  private inFlight = 0;
  private slotWaiters: { bytes: number; go: () => void }[] = [];
  private readonly inFlightBytes = new ByteBudget(IN_FLIGHT_BYTES);
  private store: CheckpointStore = new CheckpointStore(undefined, () => ({ files: [], orphans: [] }));
  private readonly isExcluded: (p: string) => boolean;
  private readonly gzAllowed: boolean;
  private readonly resolveNames: boolean;
  private readonly pipeline: StanzaPipeline | undefined;
  /** Some attribute is added to every record (checked once, not per line). */
  private readonly anyAttrs: boolean;
  private warnedCap = false;
  private readonly unopenable = new Set<string>();
  private readonly access: FileAccess;
  /** Refused files by path: what was refused (identity and change time), so each is checked and logged once. */
  private readonly refusedFiles = new Map<string, string>();
  private readonly refusals = new Map<Refusal, Counter>();
  private readonly checkedDirs = new Set<string>();
  // The batch being built for the file being read (files are read one at a time).
  private batch: LogRecord[] = [];
  private batchRes: (Attributes | undefined)[] | undefined;
  private batchEnd = -1;
  private batchBytes = 0;
  private obsNow = 0n;
  private readonly truncatedLines: Counter;
  private readonly parseErrors: Counter;
  private readonly dropped: Counter;

  constructor(
    private readonly set: CreateSettings,
    private readonly cfg: Config,
    private readonly next: LogsConsumer,
  ) {
    this.backoffMs = cfg.retry_on_failure.initial_interval;
    this.isExcluded = cfg.exclude.length ? picomatch(cfg.exclude, { dot: true }) : () => false;
    this.gzAllowed = cfg.compression === 'gzip' || cfg.include.some((p) => /\.gz$/.test(p));
    this.resolveNames = cfg.include_file_name_resolved || cfg.include_file_path_resolved;
    this.pipeline = cfg.operators.length ? buildPipeline(cfg.operators).pipeline : undefined;
    this.access = new FileAccess(cfg);
    this.anyAttrs = cfg.include_file_name || cfg.include_file_path || this.resolveNames || Object.keys(cfg.attributes).length > 0;
    const t = set.telemetry;
    const l = { signal: 'logs' };
    // Accepted/refused items are counted by the service around every receiver's consumer.
    this.truncatedLines = t.counter('telemd_filelog_truncated_records_total', 'Records cut at max_log_size', l);
    this.parseErrors = t.counter('telemd_filelog_operator_errors_total', 'Records an operator failed on (kept as-is)', l);
    this.dropped = t.counter('telemd_receiver_dropped_items_total', l);
    t.observe('telemd_filelog_open_files', 'Files held open', l, () => this.active.size);
    this.inFlightBytes.observe(t.with(l), 'receiver');
    for (const reason of ['symlink_outside', 'owner', 'not_regular', 'changed'] as const)
      this.refusals.set(reason, t.counter('telemd_filelog_refused_files_total', 'Matched files not opened by the access policy (README "Security")', { ...l, reason }));
  }

  async start(host: Host): Promise<void> {
    if (this.cfg.storage) {
      const client = await host.getStorage(this.cfg.storage, this.set.id);
      this.store = new CheckpointStore(client, () => this.snapshot());
      let restored: Checkpoints | undefined;
      try {
        restored = await this.store.load();
      } catch (err) {
        // Reading everything again duplicates; starting at the end could lose. Prefer duplicates.
        this.set.logger.error({ err: String(err) }, 'filelog: checkpoints unreadable; files are read from the start');
        restored = { files: [], orphans: [] };
      }
      if (restored) {
        this.firstRun = false;
        for (const c of restored.files) this.dormant.set(fileKey(c.dev, c.ino), { ...c, seenPoll: 0, restored: true });
        for (const o of restored.orphans) this.orphans.push({ ...o, poll: 0 });
        this.set.logger.info({ files: restored.files.length }, 'filelog: resuming from checkpoints');
      }
    }
    for (const d of this.access.baseDirs) await this.checkDir(d);
    this.startWatchers();
    this.loopDone = this.loop();
  }

  async shutdown(): Promise<void> {
    this.stopping = true;
    for (const w of this.watchers) w.close();
    clearTimeout(this.sleepTimer);
    this.wakeAlways?.();
    // A reader waiting for a delivery slot gives up; its lines are read again next time.
    for (const w of this.slotWaiters.splice(0)) w.go();
    await this.loopDone;
    // Acknowledgements still on their way move checkpoints; wait for them, then save.
    // Bounded: what is still unacknowledged after that is simply read again next time.
    const acks = Promise.all([...this.active.values()].flatMap((f) => f.window.map((w) => w.done)));
    await Promise.race([acks, new Promise((r) => setTimeout(r, SHUTDOWN_ACK_WAIT_MS).unref())]);
    for (const f of this.active.values()) this.settle(f);
    await this.saveCheckpoints();
    for (const f of this.active.values()) await f.close();
    this.active.clear();
  }

  // ---- polling ----

  private async loop(): Promise<void> {
    let sleepMs = 0;
    while (!this.stopping) {
      try {
        await this.pollOnce();
      } catch (err) {
        this.set.logger.error({ err: String(err) }, 'filelog: poll failed');
      }
      if (this.stopping) break;
      if (this.backlog) {
        this.backlog = false;
        // Let timers and I/O run, then go on reading: a poll_interval pause here would idle a
        // busy reader for a sixth of its time at the default settings.
        await new Promise<void>((r) => setImmediate(r));
        continue;
      }
      // Idle and inotify covers every pattern folder: poll less often, woken by any change.
      const idle = !this.activity && this.watchedAll;
      sleepMs = idle ? Math.min(sleepMs * 2, Math.max(IDLE_POLL_MS, this.cfg.poll_interval)) : this.cfg.poll_interval;
      this.activity = false;
      await new Promise<void>((resolve) => {
        this.wake = sleepMs > this.cfg.poll_interval ? resolve : undefined;
        this.wakeAlways = resolve;
        this.sleepTimer = setTimeout(resolve, sleepMs);
      });
      clearTimeout(this.sleepTimer);
      this.wake = undefined;
    }
  }

  /** Once per folder: warn when users other than its owner can plant files or symlinks there. */
  private async checkDir(dir: string): Promise<void> {
    if (this.checkedDirs.has(dir)) return;
    this.checkedDirs.add(dir);
    const why = await FileAccess.writableByOthers(dir);
    if (why)
      this.set.logger.warn(
        { dir, follow_symlinks: this.cfg.follow_symlinks },
        `filelog: watched folder ${dir} is writable by others: ${why}; symlinks leaving the include folders are refused${this.cfg.follow_symlinks ? ' (not now: follow_symlinks is true)' : ''}, and when running as root so are files owned by neither root nor the folder's owner`,
      );
  }

  private refuse(path: string, sig: string, reason: Refusal, detail: string): void {
    if (this.refusedFiles.get(path) === sig) return;
    this.refusedFiles.set(path, sig);
    this.refusals.get(reason)!.add();
    const hint =
      reason === 'symlink_outside'
        ? '; allow such targets with symlink_targets (globs) or follow_symlinks: true'
        : reason === 'owner'
          ? '; telemd runs as root and does not read files a non-root user could have planted'
          : '';
    this.set.logger.warn({ path, reason, detail }, `filelog: refusing to read ${path}: ${detail}${hint}`);
  }

  /** inotify on the folders of the patterns: a write wakes the poll loop early. */
  private startWatchers(): void {
    const dirs = new Set<string>(this.cfg.include.map(patternBase));
    for (const d of dirs) {
      try {
        const w = watch(d, { persistent: false }, () => {
          this.activity = true;
          this.wake?.();
        });
        w.on('error', () => w.close());
        this.watchers.push(w);
      } catch {
        // The folder may not exist yet; polling finds files there later.
      }
    }
    this.watchedAll = dirs.size > 0 && this.watchers.length === dirs.size;
  }

  private async matchPaths(): Promise<Map<string, Matched>> {
    const paths = await glob(this.cfg.include, {
      absolute: true,
      onlyFiles: true,
      dot: true,
      expandDirectories: false,
      followSymbolicLinks: true,
    });
    const out = new Map<string, Matched>();
    for (const p of paths) {
      if (this.isExcluded(p)) continue;
      if (!this.gzAllowed && p.endsWith('.gz')) continue;
      try {
        const st = await stat(p);
        if (this.cfg.exclude_older_than !== undefined && Date.now() - st.mtimeMs > this.cfg.exclude_older_than && !this.active.has(fileKey(st.dev, st.ino))) continue;
        out.set(fileKey(st.dev, st.ino), { path: p, size: st.size, dev: st.dev, ino: st.ino, ctimeMs: st.ctimeMs, regular: st.isFile() });
      } catch {
        // Vanished between glob and stat: the next poll sees the new state.
      }
    }
    return out;
  }

  private async pollOnce(): Promise<void> {
    const poll = ++this.pollNo;
    const matched = await this.matchPaths();
    let changed = false;

    // Known files: new names, truncation (copytruncate) and growing fingerprints.
    for (const f of this.active.values()) {
      const m = matched.get(f.key);
      if (m) {
        f.seenPoll = poll;
        if (m.path !== f.path) {
          f.setPath(m.path);
          if (this.resolveNames) await f.resolve();
        }
      }
      if (await this.checkTruncated(f, poll)) changed = true;
    }

    // Files not open yet; those with a checkpoint first, so that a file whose content was
    // replaced while the agent was down (copytruncate) leaves its old fingerprint and offset for
    // the copy to claim below, instead of the copy being read again from its start.
    const pending = [...matched].sort(([a], [b]) => Number(this.dormant.has(b)) - Number(this.dormant.has(a)));
    for (const [key, m] of pending) {
      if (this.active.has(key) || this.stopping) continue;
      if (this.active.size >= this.cfg.max_concurrent_files) {
        if (!this.warnedCap) this.set.logger.warn({ max: this.cfg.max_concurrent_files }, 'filelog: max_concurrent_files reached; new files wait');
        this.warnedCap = true;
        break;
      }
      const d = this.dormant.get(key);
      if (d && d.offset === m.size && d.path === m.path) {
        d.seenPoll = poll; // idle and unchanged: no need to open it
        continue;
      }
      if (await this.openFile(key, m, matched, poll)) changed = true;
    }

    if (Date.now() >= this.pausedUntil) {
      for (const f of [...this.active.values()]) {
        if (this.stopping) break;
        await this.readFile(f);
      }
    }

    if (this.releaseFiles(poll)) changed = true;
    if (changed) {
      this.activity = true;
      await this.saveCheckpoints();
    }
  }

  private async checkTruncated(f: TrackedFile, poll: number): Promise<boolean> {
    // A .gz file is read decompressed: its offsets are not comparable with its size.
    if (!f.fh || f.retry || f.gz) return false;
    // Synchronous: fstat of an open descriptor only reads the in-memory inode (~1 µs), while a
    // thread-pool round trip queues behind the reads and writes of a busy pipeline (~1.5 ms per
    // batch, measured).
    const st = fstatSync(f.fh.fd);
    const headLen = Math.min(this.cfg.fingerprint_size, st.size);
    // Unchanged since the last look: no need to re-read its first bytes.
    if (st.size === f.lastSize && st.mtimeMs === f.lastMtime && f.fp.length >= headLen) return false;
    f.lastSize = st.size;
    f.lastMtime = st.mtimeMs;
    const head = headLen > 0 ? await readHead(f.fh, headLen) : Buffer.alloc(0);
    const truncated = st.size < f.splitter.readPos || st.size < f.acked || !sameStart(f.fp, head) || (head.length < f.fp.length && st.size < f.fp.length);
    if (!truncated) {
      if (head.length > f.fp.length) f.fp = head;
      return false;
    }
    // Deliveries in flight still count against the old content.
    await Promise.all(f.window.map((w) => w.done));
    this.settle(f);
    if (f.fp.length > 0) this.orphans.push({ fp: f.fp, offset: f.acked, poll });
    this.set.logger.info({ path: f.path, offset: f.acked }, 'filelog: file truncated; reading its new content from the start');
    f.rewind(0);
    f.fp = head;
    // Persist the orphan now: a crash before its copy is found must not re-read the copy.
    void this.saveCheckpoints();
    return true;
  }

  private async openFile(key: string, m: Matched, matched: Map<string, { path: string }>, poll: number): Promise<boolean> {
    const sig = `${key}|${m.ctimeMs}`;
    if (this.refusedFiles.get(m.path) === sig) return false;
    const f = new TrackedFile(m.dev, m.ino, m.path, Buffer.alloc(0), 0, this.cfg.encoding, this.cfg.max_log_size);
    await this.checkDir(dirname(m.path));
    try {
      if (!m.regular) {
        this.refuse(m.path, sig, 'not_regular', `${m.path} is not a regular file`);
        return false;
      }
      const c = await this.access.open(m.path);
      if (!c.ok) {
        this.refuse(m.path, sig, c.reason, c.detail);
        return false;
      }
      if (c.st.dev !== m.dev || c.st.ino !== m.ino) {
        // Replaced since the glob ran: the next poll sees the new file.
        await c.fh.close();
        return false;
      }
      f.attach(c.fh, c.target);
      this.refusedFiles.delete(m.path);
    } catch (err) {
      // Once per file, not every poll (e.g. permission denied until someone fixes it).
      if (!this.unopenable.has(m.path)) this.set.logger.warn({ path: m.path, err: String(err) }, 'filelog: cannot open file; will keep trying');
      this.unopenable.add(m.path);
      return false;
    }
    this.unopenable.delete(m.path);
    const head = await readHead(f.fh!, Math.min(this.cfg.fingerprint_size, m.size));
    let offset: number | undefined;
    const d = this.dormant.get(key);
    if (d) {
      this.dormant.delete(key);
      // (.gz offsets count decompressed bytes and may exceed the file size.)
      // An empty fingerprint with an offset (written before fingerprints grew from the bytes read)
      // cannot tell this content from a later one: read it again rather than skip unread lines.
      if (d.fp.length === 0 ? d.offset === 0 : sameStart(d.fp, head)) offset = d.offset <= m.size || m.path.endsWith('.gz') ? d.offset : undefined;
      if (offset === undefined) {
        this.set.logger.info({ path: m.path }, 'filelog: file content replaced (inode reused or truncated)');
        // Its old content may live on in a copy (copytruncate while the agent was down).
        if (d.fp.length > 0) this.orphans.push({ fp: d.fp, offset: d.offset, poll });
      }
    }
    if (offset === undefined && head.length > 0) {
      // A copy of content we were reading (copytruncate), or a file known from checkpoints
      // under another identity: continue where that content was left.
      const oi = this.orphans.findIndex((o) => startsWithAll(head, o.fp));
      if (oi >= 0) {
        offset = Math.min(this.orphans[oi]!.offset, m.size);
        this.orphans.splice(oi, 1);
      } else {
        for (const [k, r] of this.dormant) {
          if (!r.restored || matched.has(k) || r.fp.length === 0) continue;
          if (startsWithAll(head, r.fp)) {
            offset = Math.min(r.offset, m.size);
            this.dormant.delete(k);
            break;
          }
        }
      }
      if (offset === undefined) {
        const twin = [...this.active.values()].find((a) => a.fp.length > 0 && startsWithAll(head, a.fp));
        const since = this.deferred.get(key) ?? poll;
        if (twin && poll - since < COPY_WAIT_POLLS) {
          this.deferred.set(key, since);
          await f.close();
          return false;
        }
      }
    }
    this.deferred.delete(key);
    if (offset === undefined) offset = this.firstRun && poll === 1 && this.cfg.start_at === 'end' ? m.size : 0;
    f.fp = head;
    if (this.cfg.compression === 'gzip' || m.path.endsWith('.gz')) f.gz = new GzipSource(f.fh!);
    f.combiner = this.cfg.multiline
      ? multilineCombiner(this.cfg.multiline, this.cfg.max_log_size, (t, e, c) => this.collect(f, t, e, c))
      : passThrough((t, e, c) => this.collect(f, t, e, c));
    f.rewind(offset);
    f.seenPoll = poll;
    this.active.set(key, f);
    this.set.logger.debug({ path: m.path, offset }, 'filelog: tracking file');
    return true;
  }

  /** Let go of drained files that left the glob (rotated away, deleted); idle files beyond the cap. */
  private releaseFiles(poll: number): boolean {
    let changed = false;
    const now = Date.now();
    for (const [key, f] of this.active) {
      const drained = f.atEof && f.window.length === 0 && f.splitter.pendingBytes === 0 && !f.combiner.pending && !f.retry;
      if (!drained) continue;
      if (poll - f.seenPoll >= RELEASE_AFTER_POLLS) {
        this.active.delete(key);
        void f.close();
        this.set.logger.debug({ path: f.path }, 'filelog: released drained file');
        changed = true;
      } else if (this.active.size > this.cfg.max_concurrent_files / 2 && now - f.lastData > 5000) {
        this.active.delete(key);
        this.dormant.set(key, { dev: f.dev, ino: f.ino, fp: f.fp, offset: f.acked, path: f.path, seenPoll: poll, restored: false });
        void f.close();
      }
    }
    for (const [key, d] of this.dormant) {
      if (d.seenPoll === 0) d.seenPoll = poll;
      if (poll - d.seenPoll >= FORGET_AFTER_POLLS) {
        this.dormant.delete(key);
        changed = true;
      }
    }
    this.orphans = this.orphans.filter((o) => poll - o.poll < FORGET_AFTER_POLLS);
    for (const [k, since] of this.deferred) if (poll - since > COPY_WAIT_POLLS) this.deferred.delete(k);
    return changed;
  }

  /** A failed save is logged; the next change saves again. */
  private saveCheckpoints(): Promise<void> {
    return this.store.save().catch((err) => this.set.logger.error({ err: String(err) }, 'filelog: checkpoint save failed'));
  }

  private snapshot(): Checkpoints {
    const files: FileCheckpoint[] = [];
    for (const f of this.active.values()) files.push({ dev: f.dev, ino: f.ino, fp: f.fp, offset: f.acked, path: f.path });
    for (const d of this.dormant.values()) files.push({ dev: d.dev, ino: d.ino, fp: d.fp, offset: d.offset, path: d.path });
    return { files, orphans: this.orphans.map((o) => ({ fp: o.fp, offset: o.offset })) };
  }

  // ---- reading ----

  private collect(f: TrackedFile, text: string, end: number, truncated: boolean): void {
    const attrs: Attributes = {};
    if (this.anyAttrs) {
      if (this.cfg.include_file_name) attrs['log.file.name'] = f.name;
      if (this.cfg.include_file_path) attrs['log.file.path'] = f.path;
      if (this.cfg.include_file_name_resolved) attrs['log.file.name_resolved'] = baseName(f.resolvedPath);
      if (this.cfg.include_file_path_resolved) attrs['log.file.path_resolved'] = f.resolvedPath;
      for (const k in this.cfg.attributes) attrs[k] = this.cfg.attributes[k] as AnyValue;
    }
    if (truncated) {
      attrs['log.truncated'] = true;
      this.truncatedLines.add();
    }
    const rec: LogRecord = { timeUnixNano: 0n, observedTimeUnixNano: this.obsNow, severityNumber: 0, body: text, attributes: attrs };
    if (this.pipeline) {
      const e = { record: rec, resource: undefined as Attributes | undefined };
      const o = this.pipeline.process(e);
      if (o === EntryResult.Drop) {
        this.dropped.add();
        this.batchEnd = end;
        return;
      }
      if (o === EntryResult.Error) this.parseErrors.add();
      if (e.resource) (this.batchRes ??= new Array<Attributes | undefined>(this.batch.length)).push(e.resource);
      else this.batchRes?.push(undefined);
    }
    this.batch.push(rec);
    this.batchEnd = end;
    this.batchBytes += text.length + RECORD_COST;
  }

  private async readFile(f: TrackedFile): Promise<void> {
    if (!f.fh) return;
    if (f.retry) {
      if (f.window.some((w) => w.state === 'pending')) return;
      this.rewindAfterRefusal(f);
      if (Date.now() < this.pausedUntil) return;
    }
    // At the end already and the size did not change (checked this poll): nothing to read.
    const idle = f.gz ? f.gz.done : f.lastSize === f.splitter.readPos;
    if (f.atEof && idle && f.splitter.pendingBytes === 0 && !f.combiner.pending) return;
    const max = this.cfg.max_batch_size;
    const started = Date.now();
    let first = true;
    while (!this.stopping && !f.retry && Date.now() >= this.pausedUntil) {
      // A busy file yields now and then so that other files and discovery get their turn.
      if (Date.now() - started > READ_BUDGET_MS) {
        this.backlog = true;
        break;
      }
      // Truncated since the last batch (copytruncate)? Reading on at the old offset would take
      // the new content's tail for the old content's.
      if (!first) await this.checkTruncated(f, this.pollNo);
      first = false;
      this.batch = [];
      this.batchRes = undefined;
      this.batchEnd = -1;
      this.batchBytes = 0;
      this.obsNow = nowNanos();
      let eof = false;
      while (this.batch.length < max) {
        f.splitter.drain(f.combiner.push, max - this.batch.length);
        if (this.batch.length >= max) break;
        const w = f.splitter.writable();
        const pos = f.splitter.readPos;
        let bytesRead: number;
        try {
          bytesRead = f.gz ? await f.gz.read(w.buf, w.off, w.len, pos) : await f.read(w.buf, w.off, w.len, pos);
        } catch (err) {
          if (!f.gz) throw err;
          // A corrupt or cut archive: keep what was decoded, say why the rest is missing.
          this.set.logger.warn({ path: f.path, err: String(err) }, 'filelog: cannot decompress the rest of the file');
          f.gz.done = true;
          bytesRead = 0;
        }
        if (bytesRead === 0) {
          eof = true;
          break;
        }
        if (!f.gz) this.growFingerprint(f, w.buf.subarray(w.off, w.off + bytesRead), pos);
        f.splitter.commit(bytesRead);
        f.lastData = Date.now();
        this.activity = true;
      }
      f.atEof = eof;
      if (eof && Date.now() - f.lastData >= this.cfg.force_flush_period) {
        f.splitter.flushPartial(f.combiner.push);
        f.combiner.flush();
      }
      if (this.batch.length > 0) {
        if (f.retry) break; // the rewind re-reads these lines
        await this.deliver(f, this.batch, this.batchRes, this.batchEnd, this.batchBytes);
      }
      if (eof) break;
    }
  }

  /**
   * Bytes just read at `pos` that continue a short fingerprint extend it. A truncation noticed
   * while the file was empty leaves an empty fingerprint; the new content read before the next
   * head check would otherwise be checkpointed without one, and after a restart a later
   * copytruncate's content would be taken for it and read from that offset (lines lost).
   */
  private growFingerprint(f: TrackedFile, bytes: Buffer, pos: number): void {
    const have = f.fp.length;
    if (have >= this.cfg.fingerprint_size || pos > have || pos + bytes.length <= have) return;
    // The overlap must agree; if not, the content changed and checkTruncated deals with it.
    if (!bytes.subarray(0, have - pos).equals(f.fp.subarray(pos))) return;
    f.fp = Buffer.concat([f.fp, bytes.subarray(have - pos, have - pos + this.cfg.fingerprint_size - have)]);
  }

  private async deliver(f: TrackedFile, records: LogRecord[], res: (Attributes | undefined)[] | undefined, end: number, bytes: number): Promise<void> {
    await this.acquireSlot(bytes);
    if (this.stopping) return;
    const n = records.length;
    const entry: InFlight = { end, items: n, state: 'pending', done: Promise.resolve() };
    f.window.push(entry);
    let p: Promise<void>;
    try {
      p = this.next.consume(logsByResource(records, res, hostResource(this.cfg.resource as Attributes), 'telemd/filelog'));
    } catch (err) {
      p = Promise.reject(err);
    }
    entry.done = p.then(
      () => {
        entry.state = 'ok';
      },
      (err: unknown) => this.refusal(f, entry, err),
    ).finally(() => {
      this.releaseSlot(bytes);
      if (this.settle(f)) void this.saveCheckpoints();
    });
  }

  private refusal(f: TrackedFile, entry: InFlight, err: unknown): void {
    if (isPermanent(err)) {
      entry.state = 'dropped';
      this.set.logger.error({ path: f.path, items: entry.items, err: String(err) }, 'filelog: batch refused permanently; skipping it');
      return;
    }
    entry.state = 'retry';
    entry.retryAfterMs = (err as ConsumerError | undefined)?.retryAfterMs;
    f.retry = true;
  }

  /** Advance the acknowledged offset over the settled head of the window. */
  private settle(f: TrackedFile): boolean {
    let moved = false;
    while (f.window.length && (f.window[0]!.state === 'ok' || f.window[0]!.state === 'dropped')) {
      f.acked = f.window.shift()!.end;
      moved = true;
    }
    if (moved && !f.retry) this.backoffMs = this.cfg.retry_on_failure.initial_interval;
    return moved;
  }

  /** A retryable refusal: continue from the acknowledged offset after a pause. */
  private rewindAfterRefusal(f: TrackedFile): void {
    this.settle(f);
    const head = f.window.find((w) => w.state === 'retry');
    const wait = Math.max(head?.retryAfterMs ?? 0, this.backoffMs);
    this.backoffMs = Math.min(this.backoffMs * 2, this.cfg.retry_on_failure.max_interval);
    this.pausedUntil = Date.now() + wait;
    this.set.logger.warn({ path: f.path, offset: f.acked, retryInMs: wait }, 'filelog: pipeline refused a batch; reading pauses and resumes from the acknowledged offset');
    f.window = [];
    f.retry = false;
    f.rewind(f.acked);
  }

  /** A delivery slot: fewer than MAX_IN_FLIGHT batches and room for `bytes` (or nothing else in flight). */
  private tryEnter(bytes: number): boolean {
    if (this.inFlight >= MAX_IN_FLIGHT) return false;
    if (!this.inFlightBytes.tryTake(bytes)) {
      if (this.inFlight > 0) return false;
      // Larger than what is left of the budget, and nothing else in flight: alone, it goes.
      this.inFlightBytes.force(bytes);
    }
    this.inFlight++;
    return true;
  }

  private acquireSlot(bytes: number): Promise<void> {
    if (this.slotWaiters.length === 0 && this.tryEnter(bytes)) return Promise.resolve();
    return new Promise((go) => this.slotWaiters.push({ bytes, go }));
  }

  private releaseSlot(bytes: number): void {
    this.inFlight--;
    this.inFlightBytes.release(bytes);
    while (this.slotWaiters.length > 0 && (this.stopping || this.tryEnter(this.slotWaiters[0]!.bytes))) this.slotWaiters.shift()!.go();
  }
}
