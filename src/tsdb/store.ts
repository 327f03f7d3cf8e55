// The history store: WAL + head + tiered immutable blocks, queried through the PromQL engine's
// Queryable seam. See README.md in this folder for the format, costs and guarantees.
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { setImmediate as yieldLoop } from 'node:timers/promises';
import { formatDuration } from '../config/units.js';
import { isStaleNaN, STALE_NAN, type Labels, type Matcher, type Queryable, type SelectHints, type SeriesSamples } from '../promql/queryable.js';
import { acquireDirLock } from '../storage/lock.js';
import { writeFileAtomic } from '../storage/fsutil.js';
import { Block, CorruptBlockError, writeBlock, type BlockEntry, type BlockInput } from './block.js';
import { clip, CUT, HeadSeries, sameBits, type SampleArrays } from './head.js';
import { aggregateFor, planSegments, streamsFor, wantedTier, type Segment, type TierSpan } from './plan.js';
import { adjustCounter, rerollup, rollupRaw, type CounterState } from './rollup.js';
import { labelsHash, SeriesTable, type Series, type SeriesKind } from './series.js';
import { Wal, type ReplayStats, type WalEntry } from './wal.js';

export interface TierConfig {
  /** 0 = raw samples (the first tier); otherwise the roll-up bucket. */
  resolutionMs: number;
  retentionMs: number;
}

export interface StoreLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface TsdbOptions {
  dir: string;
  /** 0: acknowledge after fdatasync; otherwise fdatasync within this interval (default 1 s). */
  walFsyncIntervalMs?: number;
  /** Disk cap over blocks and WAL; 0 = none (default 1 GiB). */
  maxSizeBytes?: number;
  /** Window of a raw block (default 1 h). */
  blockDurationMs?: number;
  /** Default: raw for 24 h, 1 min for 14 d, 1 h for 365 d. */
  tiers?: TierConfig[];
  /** Staleness markers for series that stop arriving. */
  staleness?: { enabled: boolean; afterMs: number; minAfterMs: number };
  logger?: StoreLogger;
  /** WAL segment size (tests). */
  walSegmentBytes?: number;
}

export interface AppendSample {
  labels: Labels;
  /** Milliseconds since the epoch (integer). */
  t: number;
  v: number;
  kind?: SeriesKind;
}

export type RefuseReason = 'out_of_order' | 'too_old' | 'duplicate_timestamp' | 'invalid';

export interface AppendResult {
  appended: number;
  /** Samples already stored with the same value (re-deliveries): accepted, not stored twice. */
  duplicates: number;
  refused: Partial<Record<RefuseReason, number>>;
}

export interface TierStats {
  name: string;
  resolutionMs: number;
  retentionMs: number;
  blocks: number;
  bytes: number;
  /** Points in the tier's blocks (raw samples, or roll-up points). */
  samples: number;
  /** Oldest time held (ms), undefined when empty. */
  oldestMs?: number;
  compactions: number;
  deletedBlocks: { retention: number; size: number };
  deletedSamples: { retention: number; size: number };
}

export interface TsdbStats {
  series: number;
  headSeries: number;
  headSamples: number;
  headBytes: number;
  samplesAppended: number;
  duplicates: number;
  refused: Record<RefuseReason, number>;
  staleMarkers: number;
  walBytes: number;
  walFsyncs: number;
  walGroups: number;
  walWriteFailures: number;
  replay: ReplayStats;
  compactionFailures: number;
  readErrors: number;
  corruptBlocks: number;
  tiers: TierStats[];
}

/** A metric family's metadata, as Prometheus' /api/v1/metadata lists it. */
export interface FamilyMetadata {
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'unknown';
  help: string;
  unit: string;
}

export const DEFAULT_TIERS: TierConfig[] = [
  { resolutionMs: 0, retentionMs: 24 * 3_600_000 },
  { resolutionMs: 60_000, retentionMs: 14 * 86_400_000 },
  { resolutionMs: 3_600_000, retentionMs: 365 * 86_400_000 },
];

const DAY = 86_400_000;

interface Tier {
  name: string;
  resolutionMs: number;
  retentionMs: number;
  dir: string;
  blocks: Block[];
  /** Merge windows of this tier, finest first (roll-up tiers). */
  levels: number[];
  stats: TierStats;
}

const openDirs = new Set<string>();
const nop: StoreLogger = { info() {}, warn() {}, error() {} };

function errMsg(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Merge windows for a roll-up tier: 1 d and 30 d, where they hold at most 50k points per series. */
function levelsFor(res: number, blockMs: number, retention: number): number[] {
  if (res === 0) return [];
  return [DAY, 30 * DAY].filter((l) => l > blockMs && l <= Math.max(retention, DAY) && l / res <= 50_000);
}

export class Tsdb implements Queryable {
  readonly dir: string;
  private readonly table = new SeriesTable();
  private readonly heads = new Set<Series>();
  private readonly tiers: Tier[];
  private readonly blockMs: number;
  private readonly log: StoreLogger;
  private readonly maxSize: number;
  private wal!: Wal;
  private unlock?: () => Promise<void>;
  /** Samples before this are in blocks: appends must be at or after it. */
  private minValidT = -Infinity;
  private headMaxT = -Infinity;
  /** Oldest sample in the head (recomputed after each cut). */
  private headMinTCache = Infinity;
  private counterStates = new Map<Series, CounterState>();
  private inflight = new Set<Promise<unknown>>();
  /** Every change to blocks (cuts, merges, deletions) runs on this chain, one at a time. */
  private chain: Promise<void> = Promise.resolve();
  private compactQueued = false;
  private timers: NodeJS.Timeout[] = [];
  private closed = false;
  private st = {
    samplesAppended: 0,
    duplicates: 0,
    refused: { out_of_order: 0, too_old: 0, duplicate_timestamp: 0, invalid: 0 } as Record<RefuseReason, number>,
    staleMarkers: 0,
    walWriteFailures: 0,
    compactionFailures: 0,
    readErrors: 0,
    corruptBlocks: 0,
    replay: { segments: 0, records: 0, samples: 0, tornTail: 0, corruptRecords: 0, skippedBytes: 0, orphanSamples: 0 } as ReplayStats,
  };
  private warned = new Set<string>();
  private meta = new Map<string, FamilyMetadata>();
  private metaDirty = false;

  private constructor(private readonly opts: TsdbOptions) {
    this.dir = resolve(opts.dir);
    this.blockMs = opts.blockDurationMs ?? 3_600_000;
    this.log = opts.logger ?? nop;
    this.maxSize = opts.maxSizeBytes ?? 1024 ** 3;
    const tiers = opts.tiers ?? DEFAULT_TIERS;
    checkTiers(tiers);
    this.tiers = tiers.map((t) => {
      const name = t.resolutionMs === 0 ? 'raw' : formatDuration(t.resolutionMs);
      return {
        name,
        resolutionMs: t.resolutionMs,
        retentionMs: t.retentionMs,
        dir: join(this.dir, name),
        blocks: [],
        levels: levelsFor(t.resolutionMs, this.blockMs, t.retentionMs),
        stats: {
          name, resolutionMs: t.resolutionMs, retentionMs: t.retentionMs, blocks: 0, bytes: 0, samples: 0, compactions: 0,
          deletedBlocks: { retention: 0, size: 0 }, deletedSamples: { retention: 0, size: 0 },
        },
      };
    });
  }

  /** Opens (creating) the store in opts.dir: loads blocks, replays the WAL into the head. */
  static async open(opts: TsdbOptions): Promise<Tsdb> {
    const db = new Tsdb(opts);
    if (openDirs.has(db.dir)) throw new Error(`history directory ${db.dir} is already open in this agent; give each store its own directory`);
    await mkdir(db.dir, { recursive: true, mode: 0o750 });
    db.unlock = await acquireDirLock(db.dir, (msg, fields) => db.log.warn(fields, msg));
    openDirs.add(db.dir);
    try {
      await db.load();
    } catch (err) {
      openDirs.delete(db.dir);
      await db.unlock?.();
      throw err;
    }
    return db;
  }

  private async load(): Promise<void> {
    let compacted = -Infinity;
    for (const tier of this.tiers) {
      await mkdir(tier.dir, { recursive: true, mode: 0o750 });
      for (const name of (await readdir(tier.dir)).sort()) {
        const path = join(tier.dir, name);
        if (name.endsWith('.tmp')) {
          await rm(path, { force: true }); // an interrupted write
          continue;
        }
        if (!/^-?\d+--?\d+\.blk$/.test(name)) continue;
        try {
          tier.blocks.push(await Block.open(path, this.table));
        } catch (err) {
          this.st.corruptBlocks++;
          await rename(path, `${path}.corrupt`).catch(() => {});
          this.log.error({ block: path, error: errMsg(err) }, `history: block unreadable, moved aside to ${name}.corrupt`);
        }
      }
      tier.blocks.sort((a, b) => a.meta.minT - b.meta.minT || b.meta.maxT - a.meta.maxT);
      await this.dropContained(tier);
      for (const b of tier.blocks) {
        if (b.meta.maxT > compacted) compacted = b.meta.maxT;
        this.account(tier, b, 1);
        for (const e of b.entries.values()) if (e.end) this.counterStates.set(e.series, e.end);
      }
    }
    const mark = await readFile(join(this.dir, 'compacted'), 'utf8').then(Number, () => NaN);
    await readFile(join(this.dir, 'metadata.json'), 'utf8').then(
      (text) => {
        for (const [k, v] of Object.entries(JSON.parse(text) as Record<string, FamilyMetadata>)) this.meta.set(k, v);
      },
      () => undefined, // none yet, or unreadable: rebuilt from the next batches
    );
    if (Number.isFinite(mark) && mark > compacted) compacted = mark;
    this.minValidT = compacted;
    this.wal = new Wal({
      dir: join(this.dir, 'wal'),
      fsyncIntervalMs: this.opts.walFsyncIntervalMs ?? 1000,
      segmentBytes: this.opts.walSegmentBytes,
      onSyncError: (msg) => this.warnOnce('sync', { error: msg }, 'history: WAL fdatasync failed; retrying'),
    });
    const now = Date.now();
    let skipped = 0;
    this.st.replay = await this.wal.replay({
      series: (labels, kind) => this.table.getOrCreate(labels, kind),
      samples: (entries) => {
        for (const e of entries) {
          const s = e.series;
          if (e.t < this.minValidT) {
            skipped++;
            continue;
          }
          if (this.admit(s, e.t, e.v) !== 'ok') continue;
          s.pendingT = e.t;
          s.pendingV = e.v;
          this.applyOne(s, e.t, e.v, now);
        }
      },
    });
    const r = this.st.replay;
    if (r.segments > 0)
      this.log.info(
        { segments: r.segments, samples: r.samples, already_in_blocks: skipped, series: this.heads.size, torn_tail: r.tornTail, corrupt_records: r.corruptRecords },
        'history: WAL replayed',
      );
    if (r.tornTail || r.corruptRecords)
      this.log.warn({ torn_tail: r.tornTail, corrupt_records: r.corruptRecords, skipped_bytes: r.skippedBytes, orphan_samples: r.orphanSamples }, 'history: damaged WAL records skipped (an interrupted write); data after them in that segment is lost');
    const stale = this.opts.staleness;
    if (stale?.enabled) this.every(1000, () => void this.markStale());
    this.every(60_000, () => void this.serial(() => this.enforceLimits()).catch(() => {}));
    this.every(10_000, () => void this.saveMetadata());
    this.maybeCompact();
  }

  private every(ms: number, fn: () => void): void {
    const t = setInterval(fn, ms);
    t.unref();
    this.timers.push(t);
  }

  private warnOnce(key: string, obj: object, msg: string): void {
    if (this.warned.has(key)) return;
    if (this.warned.size > 100) this.warned.clear();
    this.warned.add(key);
    this.log.warn(obj, msg);
  }

  private account(tier: Tier, b: Block, sign: 1 | -1): void {
    tier.stats.blocks += sign;
    tier.stats.bytes += sign * b.size;
    tier.stats.samples += sign * b.meta.samples;
  }

  /** Blocks of a tier inside another block of the same tier: left by a merge interrupted after its write. */
  private async dropContained(tier: Tier): Promise<void> {
    const keep: Block[] = [];
    for (const b of tier.blocks) {
      const outer = keep.find((k) => k !== b && k.meta.minT <= b.meta.minT && k.meta.maxT >= b.meta.maxT);
      if (outer) {
        b.release(this.table);
        b.retire();
        await rm(b.path, { force: true });
        continue;
      }
      keep.push(b);
    }
    tier.blocks = keep;
  }

  // ---------- appending ----------

  /** 'ok' to store, 'dup' for a sample already stored, or why it is refused. */
  private admit(s: Series, t: number, v: number): 'ok' | 'dup' | RefuseReason {
    if (t < this.minValidT) return 'too_old';
    if (t > s.pendingT) return 'ok';
    if (t === s.pendingT) return sameBits(v, s.pendingV) ? 'dup' : 'duplicate_timestamp';
    // A late sample of a series the store marked stale too early replaces the marker (a marker
    // that came with the data, OTLP's "no recorded value", stays).
    if (isStaleNaN(s.pendingV) && s.pendingT === s.autoStaleT && t > s.lastRealT && !isStaleNaN(v)) return 'ok';
    if (s.head?.tailHas(t, v)) return 'dup';
    return 'out_of_order';
  }

  /**
   * Appends samples; resolves when they are durable under the WAL policy (see wal.ts). Samples
   * that cannot be stored (out of order, older than the head, not a valid time) are counted in
   * the result and not stored; they never fail the call. Rejects (nothing of the call stored)
   * when the WAL cannot be written: the caller may retry the same samples.
   */
  append(samples: readonly AppendSample[]): Promise<AppendResult> {
    if (this.closed) return Promise.reject(new Error('history store is closed'));
    const res: AppendResult = { appended: 0, duplicates: 0, refused: {} };
    const token = {};
    const entries: WalEntry[] = [];
    for (const x of samples) {
      const t = x.t;
      let why: 'ok' | 'dup' | RefuseReason;
      let s: Series | undefined;
      if (!Number.isSafeInteger(t) || typeof x.v !== 'number' || !x.labels.__name__) why = 'invalid';
      else {
        const h = labelsHash(x.labels);
        s = this.table.lookup(x.labels, h) ?? this.table.getOrCreate(x.labels, x.kind ?? 'gauge', h);
        if (x.kind === 'counter') s.kind = 'counter';
        why = this.admit(s, t, x.v);
      }
      if (why === 'ok') {
        s!.pendingT = t;
        s!.pendingV = x.v;
        s!.pendingBy = token;
        entries.push({ series: s!, t, v: x.v });
        res.appended++;
      } else if (why === 'dup') res.duplicates++;
      else {
        res.refused[why] = (res.refused[why] ?? 0) + 1;
        this.st.refused[why]++;
        if (s && !s.head && s.blocks === 0 && s.pendingT === -Infinity) this.table.remove(s);
      }
    }
    this.st.duplicates += res.duplicates;
    if (entries.length === 0) return Promise.resolve(res);
    const p = this.wal.append(entries).then(
      () => {
        const now = Date.now();
        for (const e of entries) {
          if (e.series.pendingBy === token) e.series.pendingBy = undefined;
          this.applyOne(e.series, e.t, e.v, now);
        }
        this.maybeCompact();
        return res;
      },
      (err: unknown) => {
        this.st.walWriteFailures++;
        for (const e of entries) {
          const s = e.series;
          if (s.pendingBy !== token) continue;
          s.pendingBy = undefined;
          s.pendingT = s.committedT;
          s.pendingV = s.committedV;
          if (!s.head && s.blocks === 0 && s.pendingT === -Infinity) this.table.remove(s);
        }
        throw err;
      },
    );
    this.inflight.add(p);
    const done = () => this.inflight.delete(p);
    p.then(done, done);
    return p;
  }

  private applyOne(s: Series, t: number, v: number, now: number): void {
    let h = s.head;
    if (!h) {
      h = s.head = new HeadSeries(CUT - (s.ref % (CUT / 2)));
      this.heads.add(s);
    }
    if (t <= h.maxT) {
      // Admitted as the replacement of a staleness marker; if the marker is no longer in the
      // raw tail (cut into a chunk), the sample cannot go before it.
      const lastIsStale = h.tailN > 0 && isStaleNaN(h.tailV[h.tailN - 1]!);
      if (!lastIsStale || t <= (h.tailN > 1 ? h.tailT[h.tailN - 2]! : -Infinity) || !h.dropTrailingStale()) {
        this.st.refused.out_of_order++;
        return;
      }
    }
    h.append(t, v, this.blockMs);
    s.committedT = t;
    s.committedV = v;
    if (t < s.minT) s.minT = t;
    if (t > s.maxT) s.maxT = t;
    if (t > this.headMaxT) this.headMaxT = t;
    if (t < this.headMinTCache) this.headMinTCache = t;
    if (!isStaleNaN(v)) {
      if (s.lastRealT > -Infinity && t > s.lastRealT) s.intervalMs = t - s.lastRealT;
      s.lastRealT = t;
    }
    s.arrivedMs = now;
    this.st.samplesAppended++;
  }

  /**
   * Staleness markers for series silent for twice their interval (at least minAfter), stamped
   * where the next sample was due. Runs every second; public for tests.
   */
  markStale(now = Date.now()): number {
    const cfg = this.opts.staleness;
    if (!cfg?.enabled || this.closed) return 0;
    const out: AppendSample[] = [];
    for (const s of this.heads) {
      if (isStaleNaN(s.pendingV) || s.lastRealT === -Infinity || s.pendingT !== s.lastRealT) continue;
      const limit = s.intervalMs > 0 ? Math.max(2 * s.intervalMs, cfg.minAfterMs) : cfg.afterMs;
      if (now - s.arrivedMs <= limit) continue;
      const t = s.lastRealT + (s.intervalMs > 0 ? s.intervalMs : cfg.afterMs);
      if (t < this.minValidT) continue;
      s.autoStaleT = t;
      out.push({ labels: s.labels, t, v: STALE_NAN, kind: s.kind });
    }
    if (out.length === 0) return 0;
    this.st.staleMarkers += out.length;
    this.append(out).catch((err: unknown) => this.warnOnce('stale', { error: errMsg(err) }, 'history: staleness markers not written'));
    return out.length;
  }

  // ---------- compaction ----------

  /** Runs fn after every change queued before it; failures are counted and logged. */
  private serial(fn: () => Promise<void>): Promise<void> {
    const run = this.chain.then(() => (this.closed ? undefined : fn()));
    this.chain = run.catch((err: unknown) => {
      this.st.compactionFailures++;
      this.log.error({ error: errMsg(err) }, 'history: compaction failed; will retry');
    });
    return run;
  }

  /** The window [a, b) the head should be cut at next, if it is due. */
  private dueWindow(all: boolean): [number, number] | undefined {
    if (this.heads.size === 0 || this.headMaxT === -Infinity) return undefined;
    const minT = this.headMinTCache;
    if (minT === Infinity) return undefined;
    const a = Math.max(Math.floor(minT / this.blockMs) * this.blockMs, this.minValidT);
    const b = Math.floor(minT / this.blockMs) * this.blockMs + this.blockMs;
    if (all) return [a, Math.min(b, this.headMaxT + 1)];
    // Keep half a window of grace for late samples before cutting.
    return this.headMaxT >= b + this.blockMs / 2 ? [a, b] : undefined;
  }

  private maybeCompact(): void {
    if (this.compactQueued || this.closed || !this.dueWindow(false)) return;
    this.compactQueued = true;
    void this.serial(async () => {
      try {
        let w: [number, number] | undefined;
        while (!this.closed && (w = this.dueWindow(false))) await this.compactWindow(w[0], w[1]);
      } finally {
        this.compactQueued = false;
      }
      await this.enforceLimits();
    }).catch(() => {});
  }

  /** Resolves when the compactions and deletions started so far are done (tests, benchmarks). */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.inflight]);
    await this.chain;
  }

  /**
   * Writes the head into blocks now, up to its newest sample (benchmarks and tests; the agent
   * cuts full windows on its own). Appends older than the newest sample are refused afterwards.
   */
  flush(): Promise<void> {
    return this.serial(async () => {
      let w: [number, number] | undefined;
      while ((w = this.dueWindow(true))) await this.compactWindow(w[0], w[1]);
      await this.enforceLimits();
    });
  }

  private async compactWindow(a: number, b: number): Promise<void> {
    // Refuse samples older than b from now on and let appends in flight land in the head.
    if (b > this.minValidT) this.minValidT = b;
    await Promise.allSettled([...this.inflight]);
    this.wal.cut();
    const raw = this.tiers[0]!;
    const rolls = this.tiers.slice(1);
    const inputs: BlockInput[] = [];
    const rolled: BlockInput[][] = rolls.map(() => []);
    const states = new Map<Series, CounterState>();
    let samples = 0;
    let i = 0;
    for (const s of this.heads) {
      const d = s.head!.before(b);
      if (d.t.length === 0) continue;
      samples += d.t.length;
      inputs.push({ series: s, t: d.t, vs: [d.v] });
      if (rolls.length) {
        let adj: Float64Array | undefined;
        if (s.kind === 'counter') {
          const r = adjustCounter(d.v, this.counterStates.get(s));
          adj = r.adj;
          if (r.state) states.set(s, r.state);
        }
        rolls.forEach((t, k) => {
          const r = rollupRaw(d.t, d.v, t.resolutionMs, adj);
          if (r.t.length) rolled[k]!.push({ series: s, t: r.t, vs: r.vs, end: states.get(s) });
        });
      }
      if (++i % 16 === 0) await yieldLoop(); // keep appends flowing during a big cut
    }
    // Every block of the window is written and the cut recorded before any becomes visible;
    // then blocks appear and the head lets go of the window in one step (queries never see a
    // sample twice, or miss one).
    const made: [Tier, Block][] = [];
    if (samples > 0) {
      made.push([raw, await this.writeAndOpen(raw, { tier: raw.name, resolutionMs: 0, minT: a, maxT: b, samples }, inputs)]);
      for (let k = 0; k < rolls.length; k++) {
        const tier = rolls[k]!;
        const pts = rolled[k]!.reduce((n, x) => n + x.t.length, 0);
        if (pts) made.push([tier, await this.writeAndOpen(tier, { tier: tier.name, resolutionMs: tier.resolutionMs, minT: a, maxT: b, samples: pts }, rolled[k]!)]);
      }
    }
    await writeFileAtomic(join(this.dir, 'compacted'), String(b));
    for (const [tier, block] of made) this.register(tier, block);
    for (const [s, st] of states) this.counterStates.set(s, st);
    let minT = Infinity;
    for (const s of [...this.heads]) {
      s.head!.dropBefore(b);
      if (s.head!.empty) {
        s.head = undefined;
        this.heads.delete(s);
      } else if (s.head!.minT < minT) minT = s.head!.minT;
    }
    this.headMinTCache = minT;
    await this.wal.truncateBefore(b);
    for (const tier of rolls) await this.merge(tier);
  }

  private async writeAndOpen(tier: Tier, meta: Parameters<typeof writeBlock>[1], inputs: BlockInput[]): Promise<Block> {
    await mkdir(tier.dir, { recursive: true, mode: 0o750 });
    const { path } = await writeBlock(tier.dir, meta, inputs);
    return Block.open(path, this.table);
  }

  /** Makes a new block visible (synchronously), replacing one of the same window (rewritten after a crash). */
  private register(tier: Tier, block: Block): void {
    const same = tier.blocks.findIndex((x) => x.path === block.path);
    if (same >= 0) {
      const old = tier.blocks[same]!;
      this.account(tier, old, -1);
      old.release(this.table);
      old.retire();
      tier.blocks.splice(same, 1);
    }
    tier.blocks = [...tier.blocks, block].sort((x, y) => x.meta.minT - y.meta.minT);
    this.account(tier, block, 1);
    tier.stats.compactions++;
  }

  /** Merges the small blocks of complete merge windows into one (fewer files, longer chunks). */
  private async merge(tier: Tier): Promise<void> {
    for (const level of tier.levels) {
      for (;;) {
        const groups = new Map<number, Block[]>();
        for (const b of tier.blocks) {
          const w = Math.floor(b.meta.minT / level) * level;
          if (b.meta.maxT > w + level || b.meta.maxT - b.meta.minT >= level) continue;
          if (w + level > this.minValidT) continue; // window still filling
          let g = groups.get(w);
          if (!g) groups.set(w, (g = []));
          g.push(b);
        }
        const ready = [...groups].find(([, g]) => g.length > 1);
        if (!ready) break;
        const [w, group] = ready;
        await this.mergeBlocks(tier, group, w, w + level);
      }
    }
  }

  private async mergeBlocks(tier: Tier, group: Block[], minT: number, maxT: number): Promise<void> {
    const seriesSet = new Set<Series>();
    for (const b of group) for (const s of b.entries.keys()) seriesSet.add(s);
    const inputs: BlockInput[] = [];
    let samples = 0;
    for (const s of seriesSet) {
      const parts: { t: Float64Array; vs: Float64Array[] }[] = [];
      let end: CounterState | undefined;
      for (const b of group) {
        const e = b.entries.get(s);
        if (!e) continue;
        const all = e.lens.map((_, i) => i);
        parts.push((await b.read([e], all))[0]!);
        if (e.end) end = e.end;
      }
      const n = parts.reduce((k, p) => k + p.t.length, 0);
      const ncol = Math.max(...parts.map((p) => p.vs.length));
      const t = new Float64Array(n);
      const vs = Array.from({ length: ncol }, () => new Float64Array(n));
      let o = 0;
      for (const p of parts) {
        t.set(p.t, o);
        for (let c = 0; c < ncol; c++) vs[c]!.set(p.vs[c] ?? new Float64Array(p.t.length).fill(NaN), o);
        o += p.t.length;
      }
      const r = rerollup({ t, vs }, tier.resolutionMs);
      samples += r.t.length;
      inputs.push({ series: s, t: r.t, vs: r.vs, end });
    }
    const merged = await this.writeAndOpen(tier, { tier: tier.name, resolutionMs: tier.resolutionMs, minT, maxT, samples }, inputs);
    // The swap is synchronous; the old files go after it (a crash in between leaves blocks
    // contained in the merged one, dropped at the next start).
    tier.blocks = tier.blocks.filter((b) => !group.includes(b));
    for (const b of group) {
      this.account(tier, b, -1);
      b.release(this.table);
    }
    this.register(tier, merged);
    for (const b of group) {
      await rm(b.path, { force: true });
      b.retire();
    }
  }

  /** Retention per tier, then the disk cap (oldest blocks first, finest tier first on ties). */
  private async enforceLimits(): Promise<void> {
    let ref = this.headMaxT;
    for (const t of this.tiers) for (const b of t.blocks) if (b.meta.maxT > ref) ref = b.meta.maxT;
    if (ref === -Infinity) return;
    for (const tier of this.tiers)
      for (const b of [...tier.blocks]) if (b.meta.maxT <= ref - tier.retentionMs) await this.deleteBlock(tier, b, 'retention');
    if (this.maxSize <= 0) return;
    for (;;) {
      let total = this.wal.size();
      let oldest: { tier: Tier; b: Block; k: number } | undefined;
      this.tiers.forEach((tier, k) => {
        for (const b of tier.blocks) {
          total += b.size;
          if (!oldest || b.meta.maxT < oldest.b.meta.maxT || (b.meta.maxT === oldest.b.meta.maxT && k < oldest.k)) oldest = { tier, b, k };
        }
      });
      if (total <= this.maxSize || !oldest) break;
      await this.deleteBlock(oldest.tier, oldest.b, 'size');
    }
  }

  private async deleteBlock(tier: Tier, b: Block, reason: 'retention' | 'size'): Promise<void> {
    tier.blocks = tier.blocks.filter((x) => x !== b);
    this.account(tier, b, -1);
    tier.stats.deletedBlocks[reason]++;
    tier.stats.deletedSamples[reason] += b.meta.samples;
    b.release(this.table);
    await rm(b.path, { force: true });
    b.retire();
    if (reason === 'size')
      this.warnOnce(`size-${tier.name}`, { tier: tier.name, max_size: this.maxSize, window: [b.meta.minT, b.meta.maxT] }, 'history: disk cap reached; deleting the oldest blocks (counted in telemd_exporter_history_deleted_blocks_total)');
  }

  // ---------- queries ----------

  private spans(): TierSpan[] {
    return this.tiers.map((tier, k) => {
      let minT = Infinity;
      let maxT = -Infinity;
      for (const b of tier.blocks) {
        if (b.meta.minT < minT) minT = b.meta.minT;
        if (b.meta.maxT - 1 > maxT) maxT = b.meta.maxT - 1;
      }
      if (k === 0 && this.heads.size) {
        // The head reaches to now and beyond (samples may carry future times).
        minT = Math.min(minT, this.headMinT() ?? Infinity);
        maxT = Infinity;
      }
      return { resolutionMs: tier.resolutionMs, minT, maxT };
    });
  }

  async select(hints: SelectHints, matchers: readonly Matcher[]): Promise<readonly SeriesSamples[]> {
    const series = this.table.select(matchers);
    if (series.length === 0) return [];
    const segments = planSegments(hints.minT, hints.maxT, wantedTier(hints, this.tiers.map((t) => t.resolutionMs)), this.spans());
    const parts = new Map<Series, SampleArrays[]>();
    for (const s of series) parts.set(s, []);
    // One consistent view, taken synchronously: the blocks each segment reads (pinned, so a
    // deletion meanwhile does not close them) and the head's samples. A cut that lands while
    // the blocks are read is not seen at all.
    const work = segments.map((seg) => {
      const blocks = this.tiers[seg.tier]!.blocks.filter((b) => b.meta.maxT > seg.minT && b.meta.minT <= seg.maxT);
      for (const b of blocks) b.pin();
      const head = seg.tier === 0 ? series.map((s) => (s.head ? s.head.read(seg.minT, seg.maxT) : undefined)) : undefined;
      return { seg, blocks, head };
    });
    try {
      for (const { seg, blocks, head } of work) {
        const tier = this.tiers[seg.tier]!;
        for (const b of blocks) await this.readBlock(b, tier, seg, series, hints, parts);
        head?.forEach((h, i) => {
          if (h) parts.get(series[i]!)!.push(h);
        });
      }
    } finally {
      for (const w of work) for (const b of w.blocks) b.unpin();
    }
    const out: SeriesSamples[] = [];
    // Series read from the same time streams (scraped together) share one joined time array.
    const times = new Map<string, Float64Array>();
    for (const s of series) {
      const p = parts.get(s)!.filter((x) => x.t.length > 0);
      if (p.length === 0) continue;
      if (p.length === 1) {
        out.push({ labels: s.labels, t: p[0]!.t, v: p[0]!.v });
        continue;
      }
      const n = p.reduce((k, x) => k + x.t.length, 0);
      const key = p.map((x) => `${bufferId(x.t.buffer)}:${x.t.byteOffset}:${x.t.length}`).join(',');
      let t = times.get(key);
      if (!t) {
        t = new Float64Array(n);
        let o = 0;
        for (const x of p) {
          t.set(x.t, o);
          o += x.t.length;
        }
        times.set(key, t);
      }
      const v = new Float64Array(n);
      let o = 0;
      for (const x of p) {
        v.set(x.v, o);
        o += x.v.length;
      }
      out.push({ labels: s.labels, t, v });
    }
    return out;
  }

  private async readBlock(b: Block, tier: Tier, seg: Segment, series: Series[], hints: SelectHints, parts: Map<Series, SampleArrays[]>): Promise<void> {
    const entries: BlockEntry[] = [];
    for (const s of series) {
      const e = b.entries.get(s);
      if (e && e.maxT >= seg.minT && e.minT <= seg.maxT) entries.push(e);
    }
    if (entries.length === 0) return;
    try {
      if (tier.resolutionMs === 0) {
        const got = await b.read(entries, [0]);
        entries.forEach((e, i) => parts.get(e.series)!.push(clip({ t: got[i]!.t, v: got[i]!.vs[0]! }, seg.minT, seg.maxT)));
        return;
      }
      // Each series reads the aggregate standing in for its kind (counters: the adjusted value,
      // when the block has it: a series may have been a gauge when the block was cut).
      for (const counter of [true, false]) {
        const es = entries.filter((e) => (e.series.kind === 'counter' && e.lens.length > 5) === counter);
        if (!es.length) continue;
        const agg = aggregateFor(hints.func, counter);
        const got = await b.read(es, streamsFor(agg, counter));
        es.forEach((e, i) => {
          const g = got[i]!;
          const v = agg === 'avg' ? ratio(g.vs[0]!, g.vs[1]!) : g.vs[0]!;
          parts.get(e.series)!.push(clip({ t: g.t, v }, seg.minT, seg.maxT));
        });
      }
    } catch (err) {
      this.st.readErrors++;
      if (err instanceof CorruptBlockError) this.st.corruptBlocks++;
      this.warnOnce(`read-${b.path}`, { block: b.path, error: errMsg(err) }, 'history: block not readable; its samples are left out of query results');
    }
  }

  private inRange(hints: SelectHints, matchers?: readonly Matcher[]): Series[] {
    const list = matchers && matchers.length ? this.table.select(matchers) : [...this.table.all()];
    return list.filter((s) => s.maxT >= hints.minT && s.minT <= hints.maxT);
  }

  async labelNames(hints: SelectHints, matchers?: readonly Matcher[]): Promise<readonly string[]> {
    const names = new Set<string>();
    for (const s of this.inRange(hints, matchers)) for (const n of Object.keys(s.labels)) names.add(n);
    return [...names].sort();
  }

  async labelValues(name: string, hints: SelectHints, matchers?: readonly Matcher[]): Promise<readonly string[]> {
    const vals = new Set<string>();
    for (const s of this.inRange(hints, matchers)) {
      const v = s.labels[name];
      if (v !== undefined) vals.add(v);
    }
    return [...vals].sort();
  }

  // ---------- metadata ----------

  /** Records a family's type, help and unit (kept across restarts in metadata.json). */
  setMetadata(family: string, m: FamilyMetadata): void {
    const known = this.meta.get(family);
    if (known && known.type === m.type && known.help === m.help && known.unit === m.unit) return;
    if (this.meta.size >= 100_000 && !known) return; // a bound against a flood of names
    this.meta.set(family, { type: m.type, help: m.help, unit: m.unit });
    this.metaDirty = true;
  }

  /** Family metadata, for the Prometheus API's /api/v1/metadata. */
  metadata(): ReadonlyMap<string, FamilyMetadata> {
    return this.meta;
  }

  private async saveMetadata(): Promise<void> {
    if (!this.metaDirty) return;
    this.metaDirty = false;
    try {
      await writeFileAtomic(join(this.dir, 'metadata.json'), JSON.stringify(Object.fromEntries(this.meta)));
    } catch (err) {
      this.metaDirty = true;
      this.warnOnce('metadata', { error: errMsg(err) }, 'history: metadata not saved; retrying');
    }
  }

  // ---------- stats and lifecycle ----------

  stats(): TsdbStats {
    let headSamples = 0;
    let headBytes = 0;
    for (const s of this.heads) {
      headSamples += s.head!.samples;
      headBytes += s.head!.bytes;
    }
    return {
      series: this.table.size,
      headSeries: this.heads.size,
      headSamples,
      headBytes,
      samplesAppended: this.st.samplesAppended,
      duplicates: this.st.duplicates,
      refused: { ...this.st.refused },
      staleMarkers: this.st.staleMarkers,
      walBytes: this.wal.size(),
      walFsyncs: this.wal.fsyncs,
      walGroups: this.wal.groups,
      walWriteFailures: this.st.walWriteFailures,
      replay: { ...this.st.replay },
      compactionFailures: this.st.compactionFailures,
      readErrors: this.st.readErrors,
      corruptBlocks: this.st.corruptBlocks,
      tiers: this.tiers.map((t) => ({
        ...t.stats,
        deletedBlocks: { ...t.stats.deletedBlocks },
        deletedSamples: { ...t.stats.deletedSamples },
        oldestMs: t.blocks.length ? t.blocks[0]!.meta.minT : t.resolutionMs === 0 && this.heads.size ? this.headMinT() : undefined,
      })),
    };
  }

  private headMinT(): number | undefined {
    return this.heads.size && this.headMinTCache !== Infinity ? this.headMinTCache : undefined;
  }

  /** Called after each completed WAL fdatasync. */
  onSynced(fn: () => void): void {
    this.wal.onSynced(fn);
  }

  /** Stops timers, waits for writes and compaction, fsyncs the WAL, releases the directory. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    await Promise.allSettled([...this.inflight]);
    await this.chain;
    await this.saveMetadata();
    await this.wal.close();
    for (const t of this.tiers) for (const b of t.blocks) await b.close();
    openDirs.delete(this.dir);
    await this.unlock?.();
  }
}

const bufferIds = new WeakMap<ArrayBufferLike, number>();
let nextBufferId = 1;
function bufferId(b: ArrayBufferLike): number {
  let id = bufferIds.get(b);
  if (id === undefined) bufferIds.set(b, (id = nextBufferId++));
  return id;
}

function ratio(sum: Float64Array, count: Float64Array): Float64Array {
  const out = new Float64Array(sum.length);
  for (let i = 0; i < sum.length; i++) {
    const c = count[i]!;
    out[i] = c > 0 ? sum[i]! / c : isStaleNaN(sum[i]!) ? STALE_NAN : NaN;
  }
  return out;
}

/** Tier rules: raw first, resolutions increasing, retentions positive. */
export function checkTiers(tiers: readonly TierConfig[]): void {
  if (tiers.length === 0 || tiers[0]!.resolutionMs !== 0) throw new Error('history tiers: the first tier must be raw (resolution: raw)');
  for (let i = 0; i < tiers.length; i++) {
    const t = tiers[i]!;
    if (!(t.retentionMs > 0)) throw new Error(`history tiers[${i}]: retention must be positive`);
    if (i > 0 && !(t.resolutionMs > tiers[i - 1]!.resolutionMs)) throw new Error(`history tiers[${i}]: resolutions must increase from tier to tier`);
  }
}

