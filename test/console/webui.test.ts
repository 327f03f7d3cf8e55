// The web console in a real browser (Debian's Chromium via playwright-core) against a real agent:
// login through the `telemd console` link and refusal without it, the host charts drawn with
// the values /api/v1/query gives, the range switch, the pipeline graph with a StatsD edge rising
// under traffic and a live tap, and the security of the session (cookie flags, CSRF, another
// origin, the one-time link). Screenshots of every page go to .test-out/screenshots/.
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { createServer, type Server } from 'node:http';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launch, haveChromium, screenshot, type Browser } from '../helpers/browser.js';
import { ROOT, runCli, startAgent, tempDir, type Agent } from '../helpers/agent.js';
import { freePort } from '../helpers/ports.js';
import { until } from '../helpers/wait.js';

// The callbacks given to page.evaluate run in the browser; the test program has no DOM types
// (they would clash with Node's fetch), so these are the few bits of the DOM they touch.
interface El {
  dataset: Record<string, string | undefined>;
  textContent: string | null;
  scrollWidth: number;
  querySelector(s: string): El | null;
  getContext(k: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } };
  width: number;
  height: number;
}
declare const document: { querySelector(s: string): El | null; querySelectorAll(s: string): ArrayLike<El>; cookie: string; documentElement: El };
declare const innerWidth: number;

interface Last {
  label: string;
  t: number;
  v: number;
}

async function loginUrl(agent: Agent): Promise<string> {
  const r = await runCli(['console', '--config', agent.configPath]);
  expect(r.code, r.stderr).toBe(0);
  const url = r.stdout.trim();
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/login\?token=[\w-]{20,}$/);
  return url;
}

interface Drawn {
  label: string;
  colour: string;
  points: [number, number][];
}

/**
 * Checks a chart's canvas against the data it says it drew (data-plot: the plot area in canvas
 * pixels, the scales, each series' colour and newest segment): the test maps each series' newest
 * segment to canvas pixels itself and looks for the series' colour there (at the middle of the
 * segment: a forecast drawn ahead of the line starts at its last point; an isolated point is a
 * dot at the point). A series drawn later may cover it (several series at 0). Returns the series
 * not found where their values say, with what is there instead, and the series checked.
 */
async function drawnAsData(page: Page, selector: string): Promise<{ checked: Drawn[]; missing: string[] }> {
  return page.$eval(selector, (el) => {
    const e = el as unknown as El;
    const c = e.querySelector('canvas');
    if (!c || !e.dataset.plot) return { checked: [], missing: ['no canvas or no data-plot'] };
    const plot = JSON.parse(e.dataset.plot) as { left: number; top: number; width: number; height: number; x: [number, number]; y: [number, number]; series: Drawn[] };
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    const rgb = (hex: string) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
    const missing: string[] = [];
    plot.series.forEach((s, k) => {
      const [t, v] = s.points.length === 2 ? [(s.points[0]![0] + s.points[1]![0]) / 2, (s.points[0]![1] + s.points[1]![1]) / 2] : s.points[0]!;
      const px = Math.round(plot.left + ((t - plot.x[0]) / (plot.x[1] - plot.x[0])) * plot.width);
      const py = Math.round(plot.top + (1 - (v - plot.y[0]) / (plot.y[1] - plot.y[0])) * plot.height);
      const colours = plot.series.slice(k).map((o) => rgb(o.colour));
      let best = Infinity;
      let seen = 'nothing';
      for (let y = py - 3; y <= py + 3; y++)
        for (let x = px - 3; x <= px + 3; x++) {
          if (x < 0 || y < 0 || x >= c.width || y >= c.height) continue;
          const i = 4 * (y * c.width + x);
          if (d[i + 3]! < 128) continue;
          for (const col of colours) {
            const dist = Math.abs(d[i]! - col[0]!) + Math.abs(d[i + 1]! - col[1]!) + Math.abs(d[i + 2]! - col[2]!);
            if (dist < best) (best = dist), (seen = `rgba(${d[i]},${d[i + 1]},${d[i + 2]},${d[i + 3]})`);
          }
        }
      if (best > 60) missing.push(`${s.label} (${s.colour}) at ${px},${py} of ${c.width}x${c.height}: closest ${seen}`);
    });
    return { checked: plot.series, missing };
  });
}

/** The service the checks probe: a real process, so the test can stop it. */
function startWebServer(port: number): ChildProcess {
  return spawn(process.execPath, ['-e', `require('node:http').createServer((q, s) => s.end('ok')).listen(${port}, '127.0.0.1')`], { stdio: 'ignore' });
}

describe.skipIf(!haveChromium)('the web console in Chromium', () => {
  const dir = tempDir('telemd-webui-');
  const tokenFile = join(dir, 'console.token');
  const logFile = join(dir, 'app.log');
  // A secret in the config (a probe's header): no page, panel or tap may show it.
  const SECRET = 'webui-secret-6f1c0d';
  let agent: Agent;
  let port = 0;
  let statsdPort = 0;
  let token = '';
  let browser: Browser;
  let page: Page;
  let base = '';
  let webPort = 0;
  let web: ChildProcess | undefined;

  const api = async <T>(path: string): Promise<T> => {
    const r = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } });
    const j = (await r.json()) as { status: string; data: T; error?: string };
    if (j.status !== 'success') throw new Error(`${path}: ${j.error}`);
    return j.data;
  };

  beforeAll(async () => {
    webPort = await freePort();
    web = startWebServer(webPort);
    // Two kinds of event, one four times as frequent: two templates for the Logs page.
    writeFileSync(logFile, Array.from({ length: 40 }, (_, i) => (i % 5 === 4 ? `disk sda${i % 3} reported error at sector ${1000 + i}` : `user u${i} logged in from 10.0.0.${i}`)).join('\n') + '\n');
    port = await freePort();
    statsdPort = await freePort();
    base = `http://127.0.0.1:${port}`;
    agent = await startAgent({
      dir,
      config: `
receivers:
  hostmetrics:
    collection_interval: 1s
    scrapers: {cpu: , memory: , load: , filesystem: , network: , disk: , processes: }
  statsd:
    endpoint: 127.0.0.1:${statsdPort}
    aggregation_interval: 1s
  httpcheck/web:
    collection_interval: 1s
    targets: [{endpoint: "http://127.0.0.1:${webPort}/health", timeout: 900ms, headers: {authorization: "Bearer ${SECRET}"}}]
  tcpcheck:
    collection_interval: 1s
    targets: [{endpoint: "127.0.0.1:${webPort}"}]
  filelog:
    include: [${logFile}]
    start_at: beginning
    poll_interval: 100ms
connectors:
  slo:
    evaluation_interval: 1s
    objectives: [{name: web-availability, target: 99, window: 1h, probe: httpcheck/web}]
processors:
  batch: {timeout: 100ms}
  logpattern: {emit_counts: true, count_interval: 1s}
exporters:
  history: {directory: ${join(dir, 'history')}}
  nop:
extensions:
  console: {endpoint: 127.0.0.1:${port}, token_file: ${tokenFile}}
service:
  extensions: [console]
  pipelines:
    metrics: {receivers: [hostmetrics], processors: [logpattern, batch], exporters: [history]}
    logs: {receivers: [filelog], processors: [logpattern], exporters: [nop]}
    metrics/statsd: {receivers: [statsd], exporters: [history, nop]}
    metrics/checks: {receivers: [httpcheck/web, tcpcheck], exporters: [history, slo]}
    metrics/slo: {receivers: [slo], exporters: [history]}
`,
    });
    token = readFileSync(tokenFile, 'utf8').trim();
    // A few seconds of 1 s history before the first page load.
    await until(async () => {
      const d = await api<{ result: unknown[] }>('/api/v1/query?query=count_over_time(system_cpu_time_seconds_total[1m])');
      return d.result.length > 0 && (await api<{ result: { value: [number, string] }[] }>('/api/v1/query?query=max(count_over_time(system_memory_usage_bytes[1m])) >= 4')).result.length > 0;
    }, 30_000, '4 s of history');
    browser = await launch();
    page = browser.page;
  }, 90_000);

  afterAll(async () => {
    web?.kill('SIGKILL');
    await browser?.close();
    await agent?.stop();
  });

  it('refuses the page and the API without a login: a note on how to log in, 401s, no data', async () => {
    const res = await page.goto(`${base}/`);
    expect(res?.status()).toBe(401);
    expect(await page.textContent('body')).toContain('telemd console');
    expect(await page.locator('nav').count()).toBe(0);
    // The browser's own request (its cookies, none yet): refused.
    expect((await page.request.get(`${base}/api/v1/status/components`)).status()).toBe(401);
    // The app's script itself is not served without a session either.
    const manifest = JSON.parse(readFileSync(join(ROOT, 'dist', 'console', 'manifest.json'), 'utf8')) as { files: Record<string, unknown> };
    const js = Object.keys(manifest.files).find((f) => f.endsWith('.js'))!;
    expect((await fetch(`${base}/assets/${js}`)).status).toBe(401);
    expect((await fetch(`${base}/assets/${js}`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    await screenshot(page, '00-login-required');
  });

  it('logs in through the telemd console link: an HttpOnly, SameSite=Strict session cookie, and the link works once', async () => {
    const url = await loginUrl(agent);
    const res = await page.goto(url);
    expect(res?.status()).toBe(200);
    expect(new URL(page.url()).pathname).toBe('/');
    expect(page.url()).not.toContain('token=');
    await page.waitForSelector('nav a[data-page="host"]');
    const cookies = await browser.context.cookies(base);
    const c = cookies.find((x) => x.name === `telemd_console_${port}`);
    expect(c).toBeDefined();
    expect(c!.httpOnly).toBe(true);
    expect(c!.sameSite).toBe('Strict');
    expect(c!.path).toBe('/');
    expect(c!.expires).toBeGreaterThan(Date.now() / 1000);
    // Scripts cannot read it.
    expect(await page.evaluate(() => document.cookie)).not.toContain('telemd_console');
    // The same link again, from a fresh browser: refused.
    const other = await launch();
    try {
      const again = await other.page.goto(url);
      expect(again?.status()).toBe(401);
      expect(await other.page.textContent('body')).toContain('not valid');
      expect((await other.page.request.get(`${base}/api/v1/status/components`)).status()).toBe(401);
    } finally {
      await other.close();
    }
    const metrics = await (await fetch(`http://127.0.0.1:${agent.selfMetricsPort}/metrics`)).text();
    expect(metrics).toMatch(/telemd_console_refused_requests_total\{extension="console",reason="login"\} 1/);
  });

  it('host page: CPU, memory, filesystem and network charts drawn within 2 s, values as /api/v1/query gives them', async () => {
    const t0 = Date.now();
    await page.goto(`${base}/#/host`);
    for (const id of ['cpu', 'memory', 'filesystem', 'network']) await page.waitForSelector(`[data-chart="${id}"][data-drawn-at]`, { timeout: 2000 });
    const firstDraw = Date.now() - t0;
    // The canvases show the data: each series' newest segment in its colour where its values put it,
    // every series of data-last among them, ending at its last value.
    for (const id of ['cpu', 'memory', 'filesystem', 'network', 'load']) {
      const { checked, missing } = await drawnAsData(page, `[data-chart="${id}"]`);
      expect(missing, `${id} canvas`).toEqual([]);
      const last = JSON.parse((await page.getAttribute(`[data-chart="${id}"]`, 'data-last'))!) as Last[];
      expect(checked.length, `${id}: series drawn`).toBeGreaterThan(0);
      expect(checked.map((s) => [s.label, ...s.points.at(-1)!]), `${id}: drawn as data-last`).toEqual(last.map((l) => [l.label, l.t, l.v]));
    }
    // Values: the latest point of each series against an instant query at its timestamp (the
    // newest point can be computed before its last sample arrived and corrected on the next
    // poll; so one consistent read of a chart within a few polls must match exactly).
    for (const id of ['cpu', 'memory', 'filesystem', 'network']) {
      await until(
        async () => {
          const { last, queries } = await page.$eval(`[data-chart="${id}"]`, (el) => ({ last: JSON.parse((el as unknown as El).dataset.last!) as Last[], queries: JSON.parse((el as unknown as El).dataset.queries!) as { expr: string; name?: string; legend: string[]; share?: { hide: string[] } }[] }));
          if (last.length === 0) return false;
          for (const l of last) {
            let found: number | undefined;
            for (const q of queries) {
              const d = await api<{ result: { metric: Record<string, string>; value: [number, string] }[] }>(`/api/v1/query?${new URLSearchParams({ query: q.expr, time: String(l.t) })}`);
              const labelled = d.result.map((s) => ({ label: [q.name, ...q.legend.map((k) => s.metric[k])].filter(Boolean).join(' ') || s.metric.__name__ || 'value', v: Number(s.value[1]) }));
              // A chart of shares (CPU by state) shows 100 × each series / the sum of all of them.
              const total = labelled.reduce((a, x) => a + x.v, 0);
              for (const x of labelled) if (x.label === l.label) found = q.share ? (100 * x.v) / total : x.v;
            }
            if (found === undefined || Math.abs(found - l.v) > 1e-9 * Math.max(1, Math.abs(found))) return false;
          }
          return true;
        },
        8000,
        `${id}: the values shown equal /api/v1/query at the same time`,
        700,
      );
    }
    console.log(`host page: first four charts drawn ${firstDraw} ms after navigation`);
    await screenshot(page, '01-host-5m');
  });

  it('host page: switching the range to 1 h redraws every chart', async () => {
    const before = await page.$$eval('[data-chart]', (els) => els.map((e) => Number((e as unknown as El).dataset.drawnAt)));
    const t0 = Date.now();
    await page.click('.range-picker button[data-range="1h"]');
    await page.waitForFunction((n) => document.querySelector('main')?.dataset.window === '3600:live' && Array.from(document.querySelectorAll('[data-chart]')).every((e, i) => Number(e.dataset.drawnAt) > (n as number[])[i]!), before, { timeout: 5000 });
    console.log(`host page: range 1h redrawn ${Date.now() - t0} ms after the click`);
    expect(await page.textContent('.status-line')).toMatch(/step \d+s/);
    // The keyboard does the same: ] widens, [ narrows.
    await page.keyboard.press('[');
    await page.waitForFunction(() => document.querySelector('main')?.dataset.window === '900:live', undefined, { timeout: 5000 });
    // ← pans back half a window (the end fixed, no longer live); Esc returns to live.
    await page.keyboard.press('ArrowLeft');
    await page.waitForFunction(() => /^900:\d+$/.test(document.querySelector('main')?.dataset.window ?? ''), undefined, { timeout: 5000 });
    const panned = Number((await page.getAttribute('main', 'data-window'))!.split(':')[1]);
    expect(Math.abs(panned - (Date.now() / 1000 - 450))).toBeLessThan(30);
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => document.querySelector('main')?.dataset.window === '900:live', undefined, { timeout: 5000 });
    // Dragging across a chart zooms into that span.
    const box = (await page.locator('[data-chart="memory"] .u-over').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    await page.waitForFunction(() => /^\d+:\d+$/.test(document.querySelector('main')?.dataset.window ?? ''), undefined, { timeout: 5000 });
    const [zr] = (await page.getAttribute('main', 'data-window'))!.split(':').map(Number);
    expect(zr).toBeGreaterThan(180);
    expect(zr).toBeLessThan(360);
    await page.click('.range-picker button[data-range="1h"]');
    await screenshot(page, '02-host-1h');
  });

  it('pipelines page: every component of the config, a StatsD edge whose rate rises with traffic, a live tap', async () => {
    await page.goto(`${base}/#/pipelines`);
    await page.waitForSelector('svg.graph g.node');
    const shown = new Set(await page.$$eval('svg.graph g.node', (els) => els.map((e) => e.getAttribute('data-key'))));
    for (const k of ['receiver:hostmetrics', 'receiver:statsd', 'processor:batch@metrics', 'exporter:history', 'exporter:nop']) expect(shown, k).toContain(k);
    const graph = await api<{ nodes: { key: string; kind: string }[] }>('/api/v1/status/pipelines');
    expect([...shown].sort()).toEqual(graph.nodes.filter((n) => n.kind !== 'extension').map((n) => n.key).sort());
    const edgeRate = () => page.$$eval('path.edge[data-from="receiver:statsd"]', (els) => Math.max(0, ...els.map((e) => Number(e.getAttribute('data-rate') || 0))));
    expect(await edgeRate()).toBe(0);
    // StatsD traffic: 60 distinct counters every 50 ms for the rest of the test.
    const sock = createSocket('udp4');
    let n = 0;
    const timer = setInterval(() => {
      const lines = Array.from({ length: 60 }, (_, i) => `webui.test.c${i}:1|c`).join('\n');
      sock.send(lines, statsdPort, '127.0.0.1');
      n++;
    }, 50);
    try {
      const rate = await until(async () => {
        const r = await edgeRate();
        return r >= 20 ? r : undefined;
      }, 15_000, 'the statsd edge rate to rise');
      expect(rate).toBeGreaterThanOrEqual(20);
      expect(await page.textContent('text.rate[data-edge^="receiver:statsd>"]')).toMatch(/\/s$/);
    } finally {
      clearInterval(timer);
      sock.close();
    }
    expect(n).toBeGreaterThan(0);
    // Click a component: config, counters, and a live tap of its records.
    await page.click('svg.graph g.node[data-key="receiver:hostmetrics"]');
    await page.waitForSelector('.panel pre.config');
    expect(await page.textContent('.panel pre.config')).toContain('collection_interval');
    await page.waitForFunction(() => Number(document.querySelector('.tap-records')?.dataset.count ?? 0) > 0, undefined, { timeout: 15_000 });
    expect(await page.textContent('.tap-records')).toMatch(/system\.(cpu|memory|filesystem|network|disk)/);
    // Filter: only matching records shown, also of those arriving later; a filter nothing matches
    // shows none; clearing it shows them all again.
    const tapState = () => page.$eval('.tap-records', (e) => ({ count: Number((e as unknown as El).dataset.count), received: Number((e as unknown as El).dataset.received), text: (e as unknown as El).textContent ?? '' }));
    await page.fill('.panel input[type=search]', 'system.memory');
    const r0 = (await tapState()).received;
    await page.waitForFunction((r) => Number(document.querySelector('.tap-records')?.dataset.received) > (r as number) && Number(document.querySelector('.tap-records')?.dataset.count) > 0, r0, { timeout: 15_000 });
    const filtered = await page.$$eval('.tap-records div', (els) => els.map((e) => e.textContent ?? ''));
    expect(filtered.length).toBeGreaterThan(0);
    expect(filtered.every((t) => t.toLowerCase().includes('system.memory'))).toBe(true);
    await page.fill('.panel input[type=search]', 'no-such-metric-webui');
    expect((await tapState()).count).toBe(0);
    await page.fill('.panel input[type=search]', '');
    expect((await tapState()).count).toBeGreaterThan(filtered.length);
    // Pause closes the tap at the agent (its taps_open gauge falls to 0); while paused, newer
    // samples reach the history and none reaches the page; Resume opens it again and they do.
    const tapsOpen = async () => Number(/^telemd_console_taps_open(?:\{[^}]*\})? (\d+)/m.exec(await (await fetch(`http://127.0.0.1:${agent.selfMetricsPort}/metrics`)).text())?.[1] ?? NaN);
    expect(await tapsOpen()).toBe(1);
    await page.click('.panel button[data-action="pause"]');
    await page.waitForFunction(() => /paused/.test(document.querySelector('.panel .status-line')?.textContent ?? ''));
    await until(async () => (await tapsOpen()) === 0, 5000, 'the tap closed at the agent');
    const paused = await tapState();
    const pausedAt = Date.now() / 1000;
    await until(async () => (await api<{ result: unknown[] }>(`/api/v1/query?query=${encodeURIComponent(`timestamp(system_memory_usage_bytes) > ${pausedAt + 1}`)}`)).result.length > 0, 10_000, 'newer samples in the history');
    expect(await tapState()).toEqual(paused);
    expect(await page.textContent('.panel button[data-action="pause"]')).toBe('Resume');
    await screenshot(page, '03-pipelines-paused');
    await page.click('.panel button[data-action="pause"]');
    await until(async () => (await tapsOpen()) === 1, 5000, 'the tap open again at the agent');
    await page.waitForFunction((r) => Number(document.querySelector('.tap-records')?.dataset.received) > (r as number), paused.received, { timeout: 15_000 });
    await screenshot(page, '03-pipelines');
    // Keyboard: Escape closes the panel, the tap ends at the agent.
    await page.keyboard.press('Escape');
    await until(async () => !(await page.$('.panel')) && (await tapsOpen()) === 0, 5000, 'the panel to close and its tap at the agent');
    // A component with a secret in its config (a probe's Authorization header): redacted in the
    // panel, and nowhere in the page or its tap.
    await page.click('svg.graph g.node[data-key="receiver:httpcheck/web"]');
    await page.waitForSelector('.panel pre.config');
    const cfg = await page.textContent('.panel pre.config');
    expect(cfg).toContain('authorization');
    expect(cfg).not.toContain(SECRET);
    await page.waitForFunction(() => Number(document.querySelector('.tap-records')?.dataset.count ?? 0) > 0, undefined, { timeout: 15_000 });
    expect(await page.content()).not.toContain(SECRET);
    expect(JSON.stringify(await api('/api/v1/status/effective_config'))).not.toContain(SECRET);
    await page.keyboard.press('Escape');
  });

  it('query page: a PromQL expression drawn as a chart and listed in a table', async () => {
    await page.goto(`${base}/#/query?${new URLSearchParams({ expr: 'sum by (state) (system_memory_usage_bytes)' })}`);
    await page.waitForSelector('table.list[data-rows]');
    const rows = Number(await page.getAttribute('table.list[data-rows]', 'data-rows'));
    const d = await api<{ result: unknown[] }>(`/api/v1/query?query=${encodeURIComponent('sum by (state) (system_memory_usage_bytes)')}`);
    expect(rows).toBe(d.result.length);
    await page.waitForSelector('.chart[data-drawn-at]');
    const drawn = await drawnAsData(page, '.chart');
    expect(drawn.missing).toEqual([]);
    expect(drawn.checked.map((s) => s.label).sort()).toEqual(d.result.map((r) => `{${Object.entries((r as { metric: Record<string, string> }).metric).map(([k, v]) => `${k}="${v}"`).join(', ')}}`).sort());
    // A parse error is shown, with its position.
    await page.fill('.query-box textarea', 'sum(rate(x[5m])');
    await page.press('.query-box textarea', 'Enter');
    await page.waitForFunction(() => (document.querySelector('.error')?.textContent ?? '') !== '');
    expect(await page.textContent('.error')).toMatch(/parse error|unclosed|expected/i);
    await screenshot(page, '04-query');
  });

  it('logs page: the templates logpattern found with their counts, new ones first; a click shows live records of one from a tap', async () => {
    // The counts reach the history every second (count_interval), as a counter accumulated from deltas.
    await until(async () => (await api<{ result: unknown[] }>(`/api/v1/query?query=${encodeURIComponent('count(log_template_count_total)')}`)).result.length > 0, 15_000, 'template counts in the history');
    await page.goto(`${base}/#/logs`);
    await page.waitForSelector('tr[data-template-id]').catch(async (e: Error) => {
      throw new Error(`${e.message}\npage: ${await page.textContent('main')}\nconsole: ${browser.messages.join('\n')}`);
    });
    const rows = await page.$$eval('tr[data-template-id]', (els) => els.map((e) => Array.from((e as unknown as { children: ArrayLike<El> }).children).map((td) => td.textContent ?? '')));
    // Both new in this window, the more frequent first, every line of the file counted once:
    // [badge, template, count, previous, sparkline].
    expect(rows.map((r) => r.slice(0, 4))).toEqual([
      ['new', 'user <*> logged in from <*>', '32', '0'],
      ['new', 'disk <*> reported error at sector <*>', '8', '0'],
    ]);
    expect(await page.locator('tr[data-template-id] svg.spark path').count()).toBe(2);
    // Click the rarer one: a live tap of the processor, only its records.
    await page.locator('tr[data-template-id]').nth(1).click();
    await page.waitForSelector('.panel .tap-records');
    let n = 0;
    const writer = setInterval(() => {
      n++;
      appendFileSync(logFile, `disk sdb${n % 4} reported error at sector ${5000 + n}\nuser v${n} logged in from 10.1.0.${n % 250}\n`);
    }, 150);
    try {
      await page.waitForFunction(() => Number(document.querySelector('.tap-records')?.dataset.count ?? 0) >= 3, undefined, { timeout: 15_000 });
    } finally {
      clearInterval(writer);
    }
    const lines = await page.$$eval('.tap-records div', (els) => els.map((e) => (e as unknown as El).textContent ?? ''));
    expect(lines.length).toBeGreaterThanOrEqual(3);
    for (const l of lines) expect(l).toMatch(/disk sdb\d reported error at sector \d+/);
    expect(await page.textContent('.panel .status-line')).toMatch(/\d+ matching of \d+ sampled records/);
    await screenshot(page, '05-logs');
  });

  it('checks page: a target up with its latency sparkline, then down when its server stops', async () => {
    await page.goto(`${base}/#/checks`);
    const http = `tr[data-target="http://127.0.0.1:${webPort}/health"]`;
    const tcp = `tr[data-target="127.0.0.1:${webPort}"]`;
    await page.waitForSelector(`${http}[data-up="true"]`, { timeout: 15_000 });
    await page.waitForSelector(`${tcp}[data-up="true"]`, { timeout: 15_000 });
    expect(await page.$$eval(`${http} svg.spark path`, (e) => e.length)).toBe(1);
    // The objective over that probe: its budget untouched while the server answers.
    const slo = '.slo[data-objective="web-availability"]';
    await page.waitForSelector(slo, { timeout: 15_000 });
    expect(Number(await page.getAttribute(slo, 'data-remaining'))).toBe(1);
    await screenshot(page, '05-checks-up');
    web!.kill('SIGTERM');
    await new Promise((r) => web!.once('exit', r));
    // The page updates itself (no reload): both probes fail on their next ticks.
    await page.waitForSelector(`${http}[data-up="false"]`, { timeout: 15_000 });
    await page.waitForSelector(`${tcp}[data-up="false"]`, { timeout: 15_000 });
    expect(await page.textContent(http)).toMatch(/down/);
    expect(await page.textContent(http)).toMatch(/refused|ECONNREFUSED/i);
    expect(await page.textContent('.status-line')).toMatch(/[12] down/);
    // The failed probes spend the objective's budget and burn in its windows, shown without reload.
    await page.waitForFunction((sel) => Number(document.querySelector(sel as string)?.dataset.remaining) < 1, slo, { timeout: 15_000 });
    const burns = await page.$$eval(`${slo} td[data-burn]`, (els) => els.map((e) => Number((e as unknown as El).dataset.burn)));
    expect(Math.max(...burns)).toBeGreaterThan(0);
    const api1 = await api<{ objectives: { name: string; budgetRemaining: number }[] }>('/api/v1/slo');
    expect(api1.objectives.find((o) => o.name === 'web-availability')!.budgetRemaining).toBeLessThan(1);
    await screenshot(page, '05-checks-down');
  });

  it('keyboard: g and a page key or a digit switch pages, Tab reaches the nav and the pipeline nodes, Enter opens one', async () => {
    await page.goto(`${base}/#/host`);
    await page.waitForSelector('[data-chart="cpu"][data-drawn-at]');
    await page.keyboard.press('g');
    await page.keyboard.press('a');
    await page.waitForURL(/#\/alerts$/, { timeout: 5000 });
    await page.keyboard.press('6');
    await page.waitForSelector('.query-box textarea');
    await page.keyboard.press('Escape'); // out of the query box
    await page.goto(`${base}/#/host`);
    await page.reload(); // focus at the top of a fresh page
    await page.waitForSelector('nav a[data-page="pipelines"]');
    // Tab from the top: the skip link first, then the nav; Enter follows the focused link.
    const focused = () => page.evaluate(() => {
      const a = (document as unknown as { activeElement: { getAttribute(n: string): string | null; className?: unknown } | null }).activeElement;
      return { page: a?.getAttribute('data-page') ?? null, key: a?.getAttribute('data-key') ?? null, cls: a?.getAttribute('class') ?? null };
    });
    await page.keyboard.press('Tab');
    expect((await focused()).cls).toBe('skip');
    for (let i = 0; i < 10 && (await focused()).page !== 'pipelines'; i++) await page.keyboard.press('Tab');
    expect((await focused()).page).toBe('pipelines');
    await page.keyboard.press('Enter');
    await page.waitForSelector('svg.graph g.node');
    // The graph's nodes are in the tab order; Enter on one opens its panel, Escape closes it.
    let key: string | null = null;
    for (let i = 0; i < 80 && !key; i++) {
      await page.keyboard.press('Tab');
      key = (await focused()).key;
    }
    expect(key).toMatch(/^(receiver|processor|exporter|connector):/);
    await page.keyboard.press('Enter');
    await page.waitForSelector('.panel pre.config');
    expect(await page.textContent('.panel h3')).toContain(key!.split(':')[1]!.split('@')[0]!);
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => !document.querySelector('.panel'));
  });

  it('light and dark themes: t cycles auto, light, dark, the choice survives a reload, every page drawn in both', async () => {
    // Luminance of the page background (0 black … 1 white).
    const background = () => page.evaluate(() => {
      const c = (globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }).getComputedStyle((document as unknown as { body: unknown }).body).backgroundColor;
      const [r, g, b] = (c.match(/\d+(\.\d+)?/g) ?? []).map(Number);
      return (0.2126 * r! + 0.7152 * g! + 0.0722 * b!) / 255;
    });
    await page.goto(`${base}/#/host`);
    await page.waitForSelector('[data-chart="memory"][data-drawn-at]');
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('light'); // auto, the browser light
    expect(await background()).toBeGreaterThan(0.8);
    await page.keyboard.press('t'); // light
    expect(await page.textContent('header button[title^="theme"]')).toContain('light');
    await page.keyboard.press('t'); // dark
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    expect(await background()).toBeLessThan(0.2);
    // The charts are drawn again with the theme (still the data where its values put it).
    await page.waitForSelector('[data-chart="memory"][data-drawn-at]');
    expect((await drawnAsData(page, '[data-chart="memory"]')).missing).toEqual([]);
    await page.reload();
    await page.waitForSelector('[data-chart="memory"][data-drawn-at]');
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    for (const p of ['host', 'pipelines', 'alerts', 'checks', 'logs', 'query']) {
      await page.goto(`${base}/#/${p}`);
      await page.waitForSelector(p === 'host' ? '[data-chart][data-drawn-at]' : p === 'pipelines' ? 'svg.graph g.node' : p === 'query' ? '.chart[data-drawn-at]' : 'main > *');
      await screenshot(page, `08-${p}-dark`);
    }
    // (The query page's box has the focus there: a t typed into it is text, not a shortcut.)
    expect(await page.inputValue('.query-box textarea')).not.toContain('t\n');
    await page.goto(`${base}/#/alerts`);
    await page.waitForSelector('main > *');
    await page.keyboard.press('t'); // auto again: light here
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('light');
    expect(await page.evaluate(() => (globalThis as unknown as { localStorage: { getItem(k: string): string | null } }).localStorage.getItem('telemd.theme'))).toBe('auto');
    for (const p of ['alerts', 'checks']) {
      await page.goto(`${base}/#/${p}`);
      await page.waitForSelector('main > *');
      await screenshot(page, `08-${p}-light`);
    }
  });

  it('on a phone-sized screen (dark by the browser preference) no page is wider than the screen', async () => {
    const phone = await launch({ width: 390, height: 844, colorScheme: 'dark' });
    try {
      await phone.page.goto(await loginUrl(agent));
      await phone.page.waitForSelector('[data-chart="cpu"][data-drawn-at]', { timeout: 10_000 });
      expect(await phone.page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
      expect((await drawnAsData(phone.page, '[data-chart="cpu"]')).missing).toEqual([]);
      for (const p of ['host', 'pipelines', 'alerts', 'checks', 'logs', 'query']) {
        await phone.page.goto(`${base}/#/${p}`);
        await phone.page.waitForSelector(p === 'host' ? '[data-chart][data-drawn-at]' : p === 'pipelines' ? 'svg.graph g.node' : p === 'query' ? '.chart[data-drawn-at]' : 'main > *');
        // Nothing wider than the screen (the nav scrolls within itself).
        const wide = await phone.page.evaluate(() => {
          // The outermost elements reaching past the screen's right edge (for the failure message).
          const over: string[] = [];
          for (const e of Array.from(document.querySelectorAll('main *')) as unknown as { tagName: string; className: unknown; getBoundingClientRect(): { right: number }; parentElement: unknown }[]) {
            const par = e.parentElement as { getBoundingClientRect(): { right: number } } | null;
            if (e.getBoundingClientRect().right > innerWidth + 1 && (!par || par.getBoundingClientRect().right <= innerWidth + 1)) over.push(`${e.tagName}.${String(e.className)} ${Math.round(e.getBoundingClientRect().right)}`);
          }
          return { page: document.documentElement.scrollWidth, main: document.querySelector('main')!.scrollWidth, screen: innerWidth, over: over.slice(0, 5).join('; ') };
        });
        expect(wide.page, `${p}: page width (${wide.over})`).toBeLessThanOrEqual(wide.screen + 1);
        expect(wide.main, `${p}: main width (${wide.over})`).toBeLessThanOrEqual(wide.screen + 1);
        await screenshot(phone.page, `09-${p}-phone-dark`);
      }
    } finally {
      await phone.close();
    }
  });

  describe('security', () => {
    it('a state-changing request without the CSRF token is refused and changes nothing (the Log out button sends it: the last test)', async () => {
      await page.goto(`${base}/#/host`);
      await page.waitForSelector('nav');
      const without = await page.evaluate(async () => {
        const r = await fetch('/api/v1/session/logout', { method: 'POST' });
        return { status: r.status, body: await r.text() };
      });
      expect(without.status).toBe(403);
      expect(without.body).toContain('CSRF');
      // Still logged in.
      expect(await page.evaluate(async () => (await fetch('/api/v1/status/components')).status)).toBe(200);
      const metrics = await (await fetch(`http://127.0.0.1:${agent.selfMetricsPort}/metrics`)).text();
      expect(metrics).toMatch(/reason="csrf"\} 1/);
    });

    it('a page of another origin (another port of this host: same-site to the browser) cannot read or change anything', async () => {
      let result = '';
      const evil: Server = createServer((req, res) => {
        if (req.url === '/report') {
          let b = '';
          req.on('data', (c) => (b += c)).on('end', () => ((result = b), res.end()));
          return;
        }
        res.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><script>
(async () => {
  const out = [];
  try { const r = await fetch('${base}/api/v1/status/components', { credentials: 'include' }); out.push('read:' + r.status + ':' + (await r.text()).slice(0, 40)); } catch (e) { out.push('read-blocked:' + e.name); }
  try { await fetch('${base}/api/v1/session/logout', { method: 'POST', credentials: 'include', mode: 'no-cors' }); out.push('post-sent'); } catch (e) { out.push('post-blocked:' + e.name); }
  await fetch('/report', { method: 'POST', body: out.join(' ') });
})();
</script>`);
      });
      const evilPort = await freePort();
      await new Promise<void>((r) => evil.listen(evilPort, '127.0.0.1', r));
      try {
        const before = await (await fetch(`http://127.0.0.1:${agent.selfMetricsPort}/metrics`)).text();
        const count = (t: string) => Number(/reason="origin"\} (\d+)/.exec(t)?.[1] ?? 0);
        await page.goto(`http://127.0.0.1:${evilPort}/`);
        await until(() => result !== '', 10_000, 'the foreign page to report');
        expect(result).toMatch(/read-blocked:TypeError/);
        // The agent refused both requests (the browser sent the cookie: it is same-site).
        const after = await (await fetch(`http://127.0.0.1:${agent.selfMetricsPort}/metrics`)).text();
        expect(count(after) - count(before)).toBeGreaterThanOrEqual(2);
        // And the session still works on the console's own origin.
        await page.goto(`${base}/#/host`);
        expect(await page.evaluate(async () => (await fetch('/api/v1/status/components')).status)).toBe(200);
      } finally {
        // The browser keeps its keep-alive connections: cut them, or close() waits for them.
        evil.closeAllConnections();
        await new Promise((r) => evil.close(r));
      }
    });

    it('the bearer token keeps working for the CLI, and a session cannot mint login links', async () => {
      expect((await runCli(['query', 'up', '--config', agent.configPath])).code).not.toBe(77);
      const r = await page.evaluate(async () => {
        const s = (await (await fetch('/api/v1/session')).json()) as { data: { csrf_token: string } };
        const res = await fetch('/api/v1/session/login_token', { method: 'POST', headers: { 'x-csrf-token': s.data.csrf_token } });
        return res.status;
      });
      expect(r).toBe(403);
    });

    it('logging out ends the session: the page shows nothing again', async () => {
      await page.goto(`${base}/#/host`);
      await page.click('header button:has-text("Log out")');
      await page.waitForURL(`${base}/logout`);
      expect((await page.request.get(`${base}/api/v1/status/components`)).status()).toBe(401);
      expect(await browser.context.cookies(base)).toEqual([]);
      const res = await page.goto(`${base}/`);
      expect(res?.status()).toBe(401);
    });
  });
});
