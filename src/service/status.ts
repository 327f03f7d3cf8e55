// What the health check reports: component failures, and exporters that stopped delivering.
import type { MetricRegistry } from '../telemetry/self.js';

export interface Health {
  healthy: boolean;
  reasons: string[];
}

export class StatusBoard {
  private fatals = new Map<string, string>();
  private running = false;

  fatal(id: string, err: unknown): void {
    this.fatals.set(id, err instanceof Error ? err.message : String(err));
  }

  /** A component was rebuilt: what it reported before no longer holds. */
  forget(id: string): void {
    this.fatals.delete(id);
  }

  setRunning(running: boolean): void {
    this.running = running;
  }

  health(): Health {
    const reasons: string[] = [];
    if (!this.running) reasons.push('pipelines are not running');
    for (const [id, msg] of this.fatals) reasons.push(`${id}: ${msg}`);
    return { healthy: reasons.length === 0, reasons };
  }
}

/**
 * Watches exporters' sent / send_failed counters: an exporter whose sends fail and that has
 * delivered nothing for longer than `windowMs` is reported. Sampled by the health check.
 */
export class DeliveryWatch {
  private state = new Map<string, { sent: number; failed: number; lastSentAt: number; lastFailAt: number }>();

  constructor(
    private readonly registry: MetricRegistry,
    private readonly windowMs: number,
  ) {}

  private totals(): Map<string, { sent: number; failed: number }> {
    const totals = new Map<string, { sent: number; failed: number }>();
    for (const [name, key] of [
      ['telemd_exporter_sent_items_total', 'sent'],
      ['telemd_exporter_send_failed_items_total', 'failed'],
      // Retries show an outage long before max_elapsed_time turns them into failures.
      ['telemd_exporter_retries_total', 'failed'],
    ] as const) {
      for (const { labels, value } of this.registry.values(name)) {
        const id = labels.exporter;
        if (!id) continue;
        const t = totals.get(id) ?? { sent: 0, failed: 0 };
        t[key] += value;
        totals.set(id, t);
      }
    }
    return totals;
  }

  sample(now = Date.now()): void {
    for (const [id, t] of this.totals()) {
      const s = this.state.get(id);
      if (!s) {
        this.state.set(id, { ...t, lastSentAt: now, lastFailAt: 0 });
        continue;
      }
      if (t.sent > s.sent) s.lastSentAt = now;
      if (t.failed > s.failed) s.lastFailAt = now;
      s.sent = t.sent;
      s.failed = t.failed;
    }
  }

  stalled(now = Date.now()): string[] {
    this.sample(now);
    const out: string[] = [];
    for (const [id, s] of this.state) {
      if (s.lastFailAt > s.lastSentAt && now - s.lastSentAt > this.windowMs)
        out.push(`exporter ${id} has not delivered for ${Math.round((now - s.lastSentAt) / 1000)}s while its sends fail`);
    }
    return out;
  }
}
