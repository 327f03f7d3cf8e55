// The `webhook` notifier: Alertmanager's webhook JSON (version 4) posted to any URL, for users
// without an Alertmanager. One message per alert name and evaluation, for alerts that started
// firing or resolved, and again every repeat_interval while an alert fires; acknowledged
// alerts are not notified. Failed posts are retried with backoff (bounded queue).
import type { Logger } from 'pino';
import type { SelfTelemetry } from '../../src/telemetry/self.js';
import { DeliveryQueue } from './notifier.js';
import { HttpClient, redactUrl } from './http.js';
import type { Config } from './config.js';

export interface WebhookAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
}

export interface WebhookMessage {
  version: '4';
  groupKey: string;
  truncatedAlerts: number;
  status: 'firing' | 'resolved';
  receiver: string;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL: string;
  alerts: WebhookAlert[];
}

/** Alertmanager's zero time, what it writes as endsAt of a firing alert. */
export const ZERO_TIME = '0001-01-01T00:00:00Z';

function common(maps: Record<string, string>[]): Record<string, string> {
  if (maps.length === 0) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(maps[0]!)) if (maps.every((m) => m[k] === v)) out[k] = v;
  return out;
}

function goQuote(s: string): string {
  return JSON.stringify(s);
}

export function webhookMessage(alertname: string, alerts: WebhookAlert[], maxAlerts: number, externalURL: string, receiver: string): WebhookMessage {
  const firing = alerts.some((a) => a.status === 'firing');
  const kept = maxAlerts > 0 ? alerts.slice(0, maxAlerts) : alerts;
  return {
    version: '4',
    groupKey: `{}:{alertname=${goQuote(alertname)}}`,
    truncatedAlerts: alerts.length - kept.length,
    status: firing ? 'firing' : 'resolved',
    receiver,
    groupLabels: { alertname },
    commonLabels: common(kept.map((a) => a.labels)),
    commonAnnotations: common(kept.map((a) => a.annotations)),
    externalURL,
    alerts: kept,
  };
}

export class WebhookTarget {
  readonly url: string;
  readonly queue: DeliveryQueue<WebhookMessage>;
  private readonly client: HttpClient;
  private seq = 0;

  constructor(
    readonly cfg: Config['webhook'][number],
    logger: Logger,
    tel: SelfTelemetry,
  ) {
    this.client = new HttpClient(cfg);
    const target = new URL(cfg.url);
    this.url = redactUrl(target);
    this.queue = new DeliveryQueue<WebhookMessage>(
      this.url,
      1000,
      1,
      cfg.retry_on_failure,
      async (batch, signal) => {
        for (const m of batch) await this.client.request('POST', target, m, signal);
      },
      logger,
      tel,
      { webhook: this.url },
      'webhook',
    );
  }

  send(messages: WebhookMessage[]): void {
    this.queue.push(messages.map((m) => ({ item: m, key: `m${this.seq++}`, resolved: m.status === 'resolved' })));
  }

  close(): void {
    this.queue.close();
    this.client.close();
  }
}
