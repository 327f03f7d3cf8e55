// Follows the systemd journal through `journalctl --output=json --follow`. The cursor of the
// last acknowledged entry is checkpointed; journalctl is restarted with --after-cursor, so a
// restart or a crash of either process resumes after what was delivered. While a batch is in
// flight journalctl's output is paused: the journal itself is the buffer.
import { spawn, type ChildProcess } from 'node:child_process';
import type { CreateSettings, Host, Receiver } from '../../src/component/component.js';
import { isPermanent, type ConsumerError, type LogsConsumer } from '../../src/component/consumer.js';
import { nowNanos } from '../../src/pdata/time.js';
import type { Attributes, LogRecord } from '../../src/pdata/types.js';
import type { StorageClient } from '../../src/storage/storage.js';
import { buildPipeline, logsByResource, EntryResult, type StanzaPipeline } from '../../src/stanza/index.js';
import type { Counter } from '../../src/telemetry/self.js';
import type { Config } from './config.js';
import { parseEntry } from './entry.js';
import { hostResource } from '../../src/resource/host.js';
import { Backoff } from '../../src/exporterhelper/backoff.js';

const CURSOR_KEY = 'journald_cursor';

export function journalctlArgs(cfg: Config, cursor: string | undefined): string[] {
  const a = ['--utc', '--output=json', '--follow', '--no-pager'];
  if (cfg.directory) a.push('--directory', cfg.directory);
  for (const f of cfg.files) a.push('--file', f);
  if (cursor) a.push('--after-cursor', cursor);
  else a.push(cfg.start_at === 'beginning' ? '--no-tail' : '--lines=0');
  for (const u of cfg.units) a.push('--unit', u);
  for (const i of cfg.identifiers) a.push('--identifier', i);
  a.push('--priority', cfg.priority);
  if (cfg.dmesg) a.push('--dmesg');
  if (cfg.all) a.push('--all');
  if (cfg.grep) a.push('--grep', cfg.grep);
  cfg.matches.forEach((m, i) => {
    if (i > 0) a.push('+');
    for (const [k, v] of Object.entries(m)) a.push(`${k}=${v}`);
  });
  return a;
}

export class JournaldReceiver implements Receiver {
  private proc: ChildProcess | undefined;
  private storage: StorageClient | undefined;
  private cursor: string | undefined;
  private carry = '';
  private pending: string[] = [];
  private pumping: Promise<void> | undefined;
  private stopping = false;
  private stderrTail = '';
  private restartTimer: NodeJS.Timeout | undefined;
  private readonly backoff: Backoff;
  private wakeSleep: (() => void) | undefined;
  private readonly pipeline: StanzaPipeline | undefined;
  private readonly malformed: Counter;
  private readonly restarts: Counter;

  constructor(
    private readonly set: CreateSettings,
    private readonly cfg: Config,
    private readonly next: LogsConsumer,
  ) {
    // Doubling without jitter, as before: one local journalctl, no herd to spread.
    this.backoff = new Backoff({ ...cfg.retry_on_failure, multiplier: 2, randomization_factor: 0 });
    this.pipeline = cfg.operators.length ? buildPipeline(cfg.operators).pipeline : undefined;
    const l = { signal: 'logs' };
    // Items the pipeline accepts or refuses are counted by the service; lines that never
    // became items are counted here.
    this.malformed = set.telemetry.counter('telemd_receiver_refused_items_total', 'Items refused', { ...l, reason: 'malformed' });
    this.restarts = set.telemetry.counter('telemd_journald_restarts_total', 'Times journalctl was restarted', l);
  }

  async start(host: Host): Promise<void> {
    if (this.cfg.storage) {
      this.storage = await host.getStorage(this.cfg.storage, this.set.id);
      this.cursor = (await this.storage.get(CURSOR_KEY))?.toString('utf8') || undefined;
      if (this.cursor) this.set.logger.info('journald: resuming after the checkpointed cursor');
    }
    this.spawnJournalctl();
  }

  async shutdown(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    this.wakeSleep?.();
    const p = this.proc;
    if (p && p.exitCode === null && p.signalCode === null) {
      const gone = new Promise((r) => p.once('exit', r));
      p.kill('SIGTERM');
      await gone;
    }
    // A delivery that never settles must not hold the agent; unacknowledged entries come again.
    await Promise.race([this.pumping, new Promise((r) => setTimeout(r, 5000).unref())]);
  }

  private spawnJournalctl(): void {
    if (this.stopping) return;
    this.carry = '';
    this.stderrTail = '';
    const args = journalctlArgs(this.cfg, this.cursor);
    this.set.logger.debug({ args }, 'journald: starting journalctl');
    const p = spawn(this.cfg.journalctl_path, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc = p;
    p.stdout!.setEncoding('utf8').on('data', (c: string) => this.onData(c));
    p.stderr!.setEncoding('utf8').on('data', (c: string) => (this.stderrTail = (this.stderrTail + c).slice(-2000)));
    p.on('error', (err) => {
      this.set.logger.error({ err: String(err), path: this.cfg.journalctl_path }, 'journald: cannot run journalctl (is systemd installed?)');
    });
    p.on('close', (code, signal) => {
      if (this.stopping || this.proc !== p) return;
      this.restarts.add();
      this.set.logger.warn({ code, signal, stderr: this.stderrTail.trim() }, 'journald: journalctl exited; restarting after the last delivered entry');
      const wait = this.backoff.next();
      this.restartTimer = setTimeout(() => void this.restartWhenIdle(), wait);
    });
  }

  /** Lines already read are delivered first, so the cursor is where the new journalctl starts. */
  private async restartWhenIdle(): Promise<void> {
    while (this.pumping) await this.pumping;
    this.pending = [];
    this.spawnJournalctl();
  }

  private onData(chunk: string): void {
    const text = this.carry + chunk;
    const lines = text.split('\n');
    this.carry = lines.pop()!;
    for (const l of lines) if (l.trim()) this.pending.push(l);
    if (this.pending.length && !this.pumping) this.pumping = this.pump();
  }

  private async pump(): Promise<void> {
    const out = this.proc?.stdout;
    out?.pause();
    try {
      while (this.pending.length && !this.stopping) {
        const batch = this.pending.splice(0, this.cfg.max_batch_size);
        await this.deliver(batch);
      }
    } finally {
      this.pumping = undefined;
      if (!this.stopping) out?.resume();
    }
  }

  private build(lines: string[]): { records: LogRecord[]; resources: (Attributes | undefined)[]; cursor: string | undefined; bad: number } {
    const obs = nowNanos();
    const records: LogRecord[] = [];
    const resources: (Attributes | undefined)[] = [];
    let cursor: string | undefined;
    let bad = 0;
    for (const line of lines) {
      try {
        const e = parseEntry(line, obs);
        if (e.cursor) cursor = e.cursor;
        if (this.pipeline) {
          const ent = { record: e.record, resource: undefined as Attributes | undefined };
          if (this.pipeline.process(ent) === EntryResult.Drop) continue;
          resources.push(ent.resource);
        } else resources.push(undefined);
        records.push(e.record);
      } catch {
        bad++;
      }
    }
    return { records, resources, cursor, bad };
  }

  private async deliver(lines: string[]): Promise<void> {
    for (;;) {
      const { records, resources, cursor, bad } = this.build(lines);
      if (bad) {
        this.malformed.add(bad);
        this.set.logger.warn({ lines: bad }, 'journald: journalctl printed lines that are not JSON; skipped');
      }
      try {
        if (records.length) await this.next.consume(logsByResource(records, resources, hostResource(), 'telemd/journald'));
        this.backoff.reset();
      } catch (err) {
        if (!isPermanent(err)) {
          const wait = Math.max((err as ConsumerError).retryAfterMs ?? 0, this.backoff.next());
          this.set.logger.warn({ retryInMs: wait, err: String(err) }, 'journald: pipeline refused a batch; retrying');
          await new Promise<void>((r) => {
            this.wakeSleep = r;
            setTimeout(r, wait);
          });
          if (this.stopping) return; // not acknowledged: read again after the cursor next time
          continue;
        }
        this.set.logger.error({ items: records.length, err: String(err) }, 'journald: batch refused permanently; skipping it');
      }
      if (cursor) await this.saveCursor(cursor);
      return;
    }
  }

  private async saveCursor(cursor: string): Promise<void> {
    this.cursor = cursor;
    try {
      await this.storage?.set(CURSOR_KEY, cursor);
    } catch (err) {
      this.set.logger.error({ err: String(err) }, 'journald: cursor save failed');
    }
  }
}
