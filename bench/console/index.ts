// The web console: time to the first chart with data (cold: a new browser profile; warm: the
// page reloaded with its assets cached), bytes transferred for the host page at the 1 h range
// (first load, and per update), and the agent's CPU with no page open against one host page open
// at 1 s updates, measured from /proc of the agent process, phases alternated (closed, open,
// closed, open). The history holds an hour before the page opens: the series this host's
// hostmetrics produce, backfilled at 1 s into the store from the values a first run read.
// `npm run bench:console [-- --phase-seconds 30 --runs 5]`
console.log('includes: the agent process (its CPU from /proc/<pid>/stat), Chromium (headless, /usr/bin/chromium) loading the page over loopback; excludes: the browser\'s own CPU, the backfill');
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { argv } from 'node:process';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { Tsdb, type AppendSample } from '../../src/tsdb/index.js';
import { cpuSeconds, machine, sleep } from '../common/proctree.js';
import { ROOT, runCli, startAgent, tempDir, type Agent } from '../../test/helpers/agent.js';
import { CHROMIUM, CHROMIUM_ARGS } from '../../test/helpers/browser.js';
import { freePort } from '../../test/helpers/ports.js';

// page.evaluate callbacks run in the browser; this program has no DOM types.
declare const document: { querySelector(s: string): { dataset: Record<string, string | undefined>; textContent: string | null } | null };

const arg = (name: string, dflt: number) => {
  const i = argv.indexOf(`--${name}`);
  return i > 0 ? Number(argv[i + 1]) : dflt;
};
const PHASE_S = arg('phase-seconds', 30);
const RUNS = arg('runs', 5);
const BACKFILL_S = arg('backfill-seconds', 3600);

const config = (dir: string, port: number) => `
receivers:
  hostmetrics:
    collection_interval: 1s
    scrapers: {cpu: , memory: , load: , filesystem: , network: , disk: , processes: , paging: }
processors:
  batch: {timeout: 200ms}
exporters:
  history: {directory: ${join(dir, 'history')}}
extensions:
  console: {endpoint: 127.0.0.1:${port}, token_file: ${join(dir, 'console.token')}}
service:
  extensions: [console]
  pipelines:
    metrics: {receivers: [hostmetrics], processors: [batch], exporters: [history]}
`;

async function api<T>(port: number, token: string, path: string): Promise<T> {
  const r = await fetch(`http://127.0.0.1:${port}${path}`, { headers: { authorization: `Bearer ${token}` } });
  const j = (await r.json()) as { status: string; data: T; error?: string };
  if (j.status !== 'success') throw new Error(`${path}: ${j.error}`);
  return j.data;
}

type Vec = { result: { metric: Record<string, string>; value: [number, string] }[] };

/** The series a real run produces, with their latest values and (counters) rates. */
async function probeSeries(): Promise<{ labels: Record<string, string>; v: number; rate?: number }[]> {
  const dir = tempDir('telemd-bench-console-probe-');
  const port = await freePort();
  const a = await startAgent({ dir, config: config(dir, port) });
  try {
    await sleep(6000);
    const token = readFileSync(join(dir, 'console.token'), 'utf8').trim();
    const last = await api<Vec>(port, token, `/api/v1/query?query=${encodeURIComponent('{__name__=~"system_.+"}')}`);
    // Counter rates from the raw samples of the last seconds (rate() would drop the names).
    const raw = await api<{ result: { metric: Record<string, string>; values: [number, string][] }[] }>(port, token, `/api/v1/query?query=${encodeURIComponent('{__name__=~"system_.+_total"}[5s]')}`);
    const key = (m: Record<string, string>) => JSON.stringify(Object.entries(m).sort());
    const rateBy = new Map(
      raw.result.map((r) => {
        const a = r.values[0]!;
        const b = r.values[r.values.length - 1]!;
        return [key(r.metric), b[0] > a[0] ? Math.max(0, (Number(b[1]) - Number(a[1])) / (b[0] - a[0])) : 0] as const;
      }),
    );
    return last.result.map((s) => ({ labels: s.metric, v: Number(s.value[1]), rate: s.metric.__name__!.endsWith('_total') ? (rateBy.get(key(s.metric)) ?? 0) : undefined }));
  } finally {
    await a.stop();
  }
}

/** An hour at 1 s ending a few seconds ago: counters climbing at their measured rate, gauges wandering around their value. */
async function backfill(dir: string, series: Awaited<ReturnType<typeof probeSeries>>): Promise<number> {
  const db = await Tsdb.open({ dir: join(dir, 'history'), walFsyncIntervalMs: 1000 });
  const end = Math.floor(Date.now() / 1000) * 1000 - 3000;
  const start = end - BACKFILL_S * 1000;
  let n = 0;
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) - 0.5;
  const walk = series.map(() => 0);
  for (let t = start; t <= end; t += 1000) {
    const batch: AppendSample[] = series.map((s, i) => {
      if (s.rate !== undefined) {
        const v = Math.max(0, s.v - (s.rate * (end - t)) / 1000);
        return { labels: s.labels, t, v: Number.isInteger(s.v) ? Math.round(v) : Math.round(v * 100) / 100, kind: 'counter' };
      }
      walk[i] = Math.max(-0.2, Math.min(0.2, walk[i]! + rnd() * 0.01));
      const v = s.v * (1 + walk[i]!);
      return { labels: s.labels, t, v: Number.isInteger(s.v) ? Math.round(v) : Math.round(v * 100) / 100, kind: 'gauge' };
    });
    const r = await db.append(batch);
    n += r.appended;
  }
  await db.close();
  return n;
}

async function browser(): Promise<{ ctx: BrowserContext; page: Page; close: () => Promise<void> }> {
  const profile = tempDir('telemd-bench-chromium-');
  const ctx = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1280, height: 800 } });
  const page = ctx.pages()[0] ?? (await ctx.newPage());
  return { ctx, page, close: () => ctx.close() };
}

/** ms from navigation to the first chart drawn with data, and to every chart drawn. */
async function timeToCharts(page: Page, url: string): Promise<{ first: number; all: number; charts: number }> {
  const t0 = Date.now();
  await page.goto(url);
  await page.waitForSelector('[data-chart][data-drawn-at]', { timeout: 30_000 });
  const first = Date.now() - t0;
  await page.waitForFunction(() => {
    return document.querySelector('main')?.dataset.drawMs !== undefined;
  }, undefined, { timeout: 30_000 });
  return { first, all: Date.now() - t0, charts: await page.$$eval('[data-chart][data-drawn-at]', (e) => e.length) };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  console.log(`machine: ${machine()}`);
  const series = await probeSeries();
  const dir = tempDir('telemd-bench-console-');
  const t0 = performance.now();
  const samples = await backfill(dir, series);
  console.log(`history: ${series.length} series, ${samples} samples backfilled (${BACKFILL_S} s at 1 s) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const port = await freePort();
  const agent: Agent = await startAgent({ dir, config: config(dir, port) });
  try {
    await sleep(3000);
    const login = async () => {
      const r = await runCli(['console', '--config', agent.configPath]);
      if (r.code !== 0) throw new Error(r.stderr);
      return r.stdout.trim();
    };
    const base = `http://127.0.0.1:${port}`;
    const url = `${base}/#/host?range=1h`;

    // Cold: a new profile each run (no cache, no cookie: login link, then the page).
    const cold: number[] = [];
    const coldAll: number[] = [];
    let charts = 0;
    const loginTo = async (next: string) => `${await login()}&next=${encodeURIComponent(next)}`;
    for (let i = 0; i < RUNS; i++) {
      const b = await browser();
      const r = await timeToCharts(b.page, await loginTo('#/host?range=1h'));
      cold.push(r.first);
      coldAll.push(r.all);
      charts = r.charts;
      await b.close();
    }
    // Warm: one profile, the page loaded again (assets from the cache, the session cookie).
    const b = await browser();
    await b.page.goto(await login());
    await timeToCharts(b.page, url);
    const warm: number[] = [];
    const warmAll: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      await b.page.goto('about:blank');
      const r = await timeToCharts(b.page, url);
      warm.push(r.first);
      warmAll.push(r.all);
    }
    console.log(`time to first chart with data, 1 h range (${RUNS} runs, median): cold ${median(cold)} ms (all ${charts} charts ${median(coldAll)} ms), warm ${median(warm)} ms (all ${median(warmAll)} ms)`);

    // Bytes at the 1 h range, as the network saw them (encoded: gzip where it applied).
    const bytes = async (page: Page, during: () => Promise<void>) => {
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Network.enable');
      const byKind = { assets: 0, api: 0, requests: 0 };
      const urls = new Map<string, string>();
      cdp.on('Network.requestWillBeSent', (e) => urls.set(e.requestId, e.request.url));
      cdp.on('Network.loadingFinished', (e) => {
        const u = urls.get(e.requestId) ?? '';
        byKind.requests++;
        if (u.includes('/api/')) byKind.api += e.encodedDataLength;
        else byKind.assets += e.encodedDataLength;
      });
      await during();
      await cdp.detach();
      return byKind;
    };
    const fresh = await browser();
    // From the login link (it redirects to the 1 h host page): page, assets and data.
    const first = await bytes(fresh.page, async () => {
      await timeToCharts(fresh.page, await loginTo('#/host?range=1h'));
    });
    const update = await bytes(fresh.page, async () => {
      await sleep(30_000);
    });
    await fresh.close();
    const updStep = await b.page.evaluate(() => document.querySelector('.status-line')?.textContent ?? '');
    console.log(`bytes, host page at 1 h, first load (new profile): ${(first.assets / 1024).toFixed(1)} KiB assets + ${(first.api / 1024).toFixed(1)} KiB API = ${((first.assets + first.api) / 1024).toFixed(1)} KiB in ${first.requests} requests`);
    console.log(`bytes, host page at 1 h, live updates: ${(update.api / 1024 / 30).toFixed(2)} KiB/s (${update.requests} requests in 30 s; ${updStep.replace(/ · live.*/, '')})`);
    const manifest = JSON.parse(readFileSync(join(ROOT, 'dist', 'console', 'manifest.json'), 'utf8')) as { gzip_bytes_total: number };
    console.log(`bundle: ${(manifest.gzip_bytes_total / 1024).toFixed(1)} KiB gzipped in total (dist/console/manifest.json; goal < 300 KiB)`);

    // Agent CPU: no page open against one host page at 5 m (1 s updates), alternated.
    const pid = agent.proc.pid!;
    const measure = async () => {
      const c0 = cpuSeconds(pid);
      const w0 = performance.now();
      await sleep(PHASE_S * 1000);
      return (100 * (cpuSeconds(pid) - c0)) / ((performance.now() - w0) / 1000);
    };
    // Closed means closed: the console's request counter does not move during a closed phase.
    const answered = async () => {
      const text = await (await fetch(`http://127.0.0.1:${agent.selfMetricsPort}/metrics`)).text();
      return [...text.matchAll(/^telemd_console_requests_total\{[^}]*\} (\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0);
    };
    let closedRequests = 0;
    await b.page.goto('about:blank');
    const closed: number[] = [];
    const open: number[] = [];
    let openStatus = '';
    for (let round = 0; round < 2; round++) {
      await b.page.goto('about:blank');
      await sleep(2000);
      const r0 = await answered();
      closed.push(await measure());
      closedRequests += (await answered()) - r0;
      await b.page.goto(`${base}/#/host?range=5m`);
      await b.page.waitForSelector('[data-chart][data-drawn-at]');
      open.push(await measure());
      openStatus = await b.page.evaluate(() => document.querySelector('.status-line')?.textContent ?? '');
    }
    await b.close();
    const avg = (xs: number[]) => xs.reduce((a, x) => a + x, 0) / xs.length;
    console.log(`agent CPU (% of one core, ${PHASE_S} s phases, closed/open alternated): no page open ${closed.map((x) => x.toFixed(2)).join(', ')} -> ${avg(closed).toFixed(2)} %; host page open at 5 m ${open.map((x) => x.toFixed(2)).join(', ')} -> ${avg(open).toFixed(2)} %; cost of the open page ${(avg(open) - avg(closed)).toFixed(2)} % (goal < 0.5 %) [${openStatus.replace(/ · live.*/, '')}]`);
    console.log(`console requests answered during the closed phases: ${closedRequests}; in the whole run: ${await answered()}`);
  } finally {
    await agent.stop();
  }
}

await main();
