// The web console's Alerts page in Chromium against a real agent and the real Debian Alertmanager:
// a rule on a StatsD gauge the test drives goes pending and firing on the open page (no reload);
// Acknowledge (duration, comment) makes a silence at Alertmanager that the page lists; Resolve
// moves the alert to resolved, at Alertmanager too. The buttons go through the same API as
// `telemd alerts ack|resolve`, with the session's CSRF token. An alert naming a series in
// anomaly_metric (as the stock HostMetricAnomaly's do) is marked on that series' host chart.
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, startAgent, tempDir } from '../helpers/agent.js';
import { alertmanagers, haveAlertmanager, webhookSink } from '../helpers/alertmanager.js';
import { haveChromium, launch, screenshot } from '../helpers/browser.js';
import { freePort } from '../helpers/ports.js';
import { until } from '../helpers/wait.js';

const startAm = alertmanagers();

// page.waitForFunction callbacks run in the browser; this program has no DOM types.
declare const document: { querySelector(s: string): { dataset: Record<string, string | undefined> } | null };

interface Alert {
  fingerprint: string;
  alertname: string;
  state: string;
  labels: Record<string, string>;
  value: string;
  acknowledged?: { by: string; comment: string; until: string; silences: { alertmanager: string; id?: string; state: string }[] };
  closed?: { by: string; comment: string };
  history: { event: string }[];
}

describe.skipIf(!haveChromium || !haveAlertmanager)('the web console Alerts page with a real Alertmanager', () => {
  it('a rule the test drives fires on the open page (an anomaly alert marked on its host chart); Acknowledge makes a silence at Alertmanager; Resolve resolves it there', async () => {
    const dir = tempDir('telemd-webui-alerts-');
    const hooks = await webhookSink();
    const am = await startAm({ webhookUrl: hooks.url });
    const statsdPort = await freePort();
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const agent = await startAgent({
      dir,
      config: `
receivers:
  statsd: {endpoint: 127.0.0.1:${statsdPort}, aggregation_interval: 1s}
  hostmetrics: {collection_interval: 1s, scrapers: {memory: }}
connectors:
  alerts:
    evaluation_interval: 1s
    external_labels: {instance: webui-host}
    alertmanager:
      endpoints: [${am.url}]
      retry_on_failure: {initial_interval: 200ms, max_interval: 1s}
    rules:
      - alert: WebuiQueueDeep
        expr: webui_queue_depth > 50
        for: 2s
        labels: {severity: critical, team: storage}
        annotations: {summary: 'queue depth {{ $value }}'}
      # As the stock HostMetricAnomaly rule's alerts do, this one names the series it is about:
      # the host page marks its onset on that series' chart.
      - alert: WebuiMemoryAnomaly
        expr: webui_queue_depth > 50
        labels: {severity: info, anomaly_metric: system_memory_usage_bytes}
exporters:
  nop:
  history: {directory: ${join(dir, 'history')}}
extensions:
  console: {endpoint: 127.0.0.1:${port}, token_file: ${join(dir, 'console.token')}}
service:
  extensions: [console]
  pipelines:
    metrics: {receivers: [statsd], exporters: [alerts]}
    metrics/host: {receivers: [hostmetrics], exporters: [history]}
    logs/alerts: {receivers: [alerts], exporters: [nop]}
`,
    });
    const sock = createSocket('udp4');
    let depth = 10;
    const timer = setInterval(() => sock.send(`webui.queue.depth:${depth}|g`, statsdPort, '127.0.0.1'), 200);
    const browser = await launch();
    const page = browser.page;
    const alerts = async (): Promise<Alert[]> => {
      const token = readFileSync(join(dir, 'console.token'), 'utf8').trim();
      const r = await fetch(`${base}/api/v1/alerts`, { headers: { authorization: `Bearer ${token}` } });
      return ((await r.json()) as { data: { alerts: Alert[] } }).data.alerts;
    };
    try {
      const login = await runCli(['console', '--config', agent.configPath]);
      expect(login.code, login.stderr).toBe(0);
      await page.goto(`${login.stdout.trim()}&next=${encodeURIComponent('#/alerts')}`);
      await page.waitForSelector('.tabs button[data-tab="firing"]');
      expect(await page.textContent('.tabs')).toContain('firing (0)');
      await screenshot(page, '10-alerts-quiet');

      // The condition starts: pending, then firing, on the page as it polls.
      depth = 80;
      await page.click('.tabs button[data-tab="pending"]');
      const row = 'tr[data-alertname="WebuiQueueDeep"]';
      await page.waitForSelector(row, { timeout: 10_000 });
      expect(await page.textContent(row)).toMatch(/pending for/);
      await page.click('.tabs button[data-tab="firing"]');
      await page.waitForSelector(row, { timeout: 10_000 });
      const [fired] = (await alerts()).filter((a) => a.alertname === 'WebuiQueueDeep');
      expect(fired!.state).toBe('firing');
      expect(await page.getAttribute(row, 'data-fingerprint')).toBe(fired!.fingerprint);
      const text = await page.textContent(row);
      expect(text).toContain('critical');
      expect(text).toContain('team=storage');
      // Every label as Alertmanager gets it (the series' instance, host.name, wins over the external label).
      for (const [k, v] of Object.entries(fired!.labels)) if (k !== 'alertname') expect(text).toContain(`${k}=${v}`);
      expect(Number(fired!.value)).toBe(80);
      expect(await page.textContent(`${row} td.num`)).toBe('80');
      expect(text).toMatch(/queue depth 80/);
      expect(text).toMatch(/firing for \d/);
      // At Alertmanager as well, not silenced yet.
      await until(async () => (await am.alerts()).some((a) => a.labels.alertname === 'WebuiQueueDeep' && a.status.state === 'active'), 10_000, 'the alert at Alertmanager');
      await screenshot(page, '11-alerts-firing');
      // The anomaly alert's onset marked on the memory chart of the host page, on no other chart.
      await page.goto(`${base}/#/host?range=5m`);
      await page.waitForSelector('[data-chart="memory"][data-drawn-at]', { timeout: 10_000 });
      await page.waitForFunction(() => Number(document.querySelector('[data-chart="memory"]')?.dataset.markers ?? 0) >= 1, undefined, { timeout: 10_000 });
      expect(await page.$$eval('[data-chart]:not([data-chart="memory"])', (els) => els.map((e) => (e as unknown as { dataset: Record<string, string> }).dataset.markers ?? '0').filter((m) => m !== '0'))).toEqual([]);
      await screenshot(page, '11-host-anomaly-marker');
      await page.goto(`${base}/#/alerts?tab=firing`);
      await page.waitForSelector(row);

      // Acknowledge with a duration and a comment.
      await page.click(`${row} button[data-action="ack"]`);
      await page.selectOption('.modal select[name="for"]', '30m');
      await page.fill('.modal textarea[name="comment"]', 'draining the queue by hand');
      await page.click('.modal button[type="submit"]');
      await page.waitForSelector('.modal', { state: 'detached' });
      const silence = await until(async () => (await am.silences()).find((s) => s.status.state === 'active' && s.matchers.some((m) => m.name === 'alertname' && m.value === 'WebuiQueueDeep')), 10_000, 'a silence at Alertmanager');
      expect(silence.comment).toBe('draining the queue by hand');
      // Equality matchers on every label: exactly this alert.
      expect(silence.matchers.map((m) => `${m.name}=${m.value}`).sort()).toEqual(Object.entries(fired!.labels).map(([k, v]) => `${k}=${v}`).sort());
      expect(silence.matchers.every((m) => !m.isRegex)).toBe(true);
      const minutes = (Date.parse(silence.endsAt) - Date.now()) / 60_000;
      expect(minutes).toBeGreaterThan(29);
      expect(minutes).toBeLessThanOrEqual(30);
      await until(async () => (await am.alerts()).some((a) => a.labels.alertname === 'WebuiQueueDeep' && a.status.state === 'suppressed' && a.status.silencedBy.includes(silence.id)), 10_000, 'the alert suppressed by the silence');
      // The page: the acknowledged tab, who and why, and the silence's id.
      await page.click('.tabs button[data-tab="acknowledged"]');
      await page.waitForSelector(row);
      expect(await page.textContent(row)).toMatch(/acked by \S+ until .*: draining the queue by hand/);
      await page.waitForSelector(`.silences tr[data-silence="${silence.id}"][data-state="active"]`, { timeout: 10_000 });
      expect(await page.textContent(`.silences tr[data-silence="${silence.id}"]`)).toContain(am.url);
      // Its history, opened from the row.
      await page.click(`${row} button[aria-label="details"]`);
      await page.waitForSelector('dl.kv');
      expect(await page.textContent('main')).toMatch(/pending[\s\S]*firing[\s\S]*acknowledged/);
      await screenshot(page, '12-alerts-acknowledged');

      // Resolve by hand: resolved on the page and at Alertmanager, the silence expired.
      await page.click(`${row} button[data-action="resolve"]`);
      await page.fill('.modal textarea[name="comment"]', 'queue drained');
      await page.click('.modal button[type="submit"]');
      await page.waitForSelector('.modal', { state: 'detached' });
      await page.click('.tabs button[data-tab="resolved"]');
      await page.waitForSelector(row);
      expect(await page.textContent(row)).toMatch(/resolved \d.* ago/);
      expect(await page.locator(`${row} button[data-action]`).count()).toBe(0);
      const [resolved] = (await alerts()).filter((a) => a.alertname === 'WebuiQueueDeep');
      expect(resolved!.state).toBe('resolved');
      expect(resolved!.closed?.comment).toBe('queue drained');
      await until(async () => !(await am.alerts()).some((a) => a.labels.alertname === 'WebuiQueueDeep'), 10_000, 'the alert resolved at Alertmanager');
      await until(async () => (await am.silences()).find((s) => s.id === silence.id)?.status.state === 'expired', 10_000, 'the silence expired');
      await screenshot(page, '13-alerts-resolved');
      expect(browser.messages.filter((m) => m.startsWith('pageerror'))).toEqual([]);
    } finally {
      clearInterval(timer);
      sock.close();
      await browser.close();
      await agent.stop();
      await hooks.close();
    }
  }, 90_000);
});
