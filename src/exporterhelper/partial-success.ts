import type { CreateSettings } from '../component/component.js';
import type { Signal } from '../pdata/types.js';
import type { Counter } from '../telemetry/self.js';
import type { PartialSuccess } from '../otlp/response.js';

/** Partial success from a backend: counted and logged (once per message), never retried. */
export class PartialSuccessReporter {
  private counter: Counter;
  private seen = new Set<string>();

  constructor(
    private set: CreateSettings,
    private signal: Signal,
  ) {
    this.counter = set.telemetry.counter(
      'telemd_exporter_partial_rejected_items_total',
      'Items the backend rejected in a partial-success answer (not retried)',
      { signal },
    );
  }

  /** The export succeeded; an unreadable response body must not turn it into a retry. */
  reportBody(decode: () => PartialSuccess | undefined): void {
    let p: PartialSuccess | undefined;
    try {
      p = decode();
    } catch (e) {
      this.set.logger.debug({ signal: this.signal, error: (e as Error).message }, 'unreadable export response ignored');
      return;
    }
    this.report(p);
  }

  report(p: PartialSuccess | undefined): void {
    if (!p) return;
    this.counter.add(p.rejected);
    const key = p.errorMessage.slice(0, 200);
    if (this.seen.size < 100 && !this.seen.has(key)) {
      this.seen.add(key);
      this.set.logger.warn({ signal: this.signal, rejected_items: p.rejected, error: p.errorMessage }, 'backend accepted the export partially (logged once per message)');
    } else this.set.logger.debug({ signal: this.signal, rejected_items: p.rejected, error: p.errorMessage }, 'partial success');
  }
}
