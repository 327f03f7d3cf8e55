// telemd tap and telemd top against a real agent (hostmetrics and filelog pipelines), top driven
// in a real terminal (tmux), and the CLI's words when the agent is away or the token unreadable.
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, runCli, startAgent, tempDir, type Agent } from '../helpers/agent.js';
import { freePort } from '../helpers/ports.js';
import { until } from '../helpers/wait.js';

const haveTmux = spawnSync('tmux', ['-V']).status === 0;

describe('telemd tap and top against a running agent', () => {
  const dir = tempDir('telemd-console-live-');
  const logFile = join(dir, 'app.log');
  const tokenFile = join(dir, 'console.token');
  let agent: Agent;
  let port = 0;
  let writer: NodeJS.Timeout | undefined;
  let n = 0;

  beforeAll(async () => {
    writeFileSync(logFile, '');
    port = await freePort();
    agent = await startAgent({
      dir,
      config: `
receivers:
  hostmetrics:
    collection_interval: 1s
    scrapers: {cpu: , memory: , load: }
  filelog:
    include: [${logFile}]
    start_at: beginning
processors:
  batch: {timeout: 200ms}
exporters:
  nop:
  file: {path: ${join(dir, 'out.jsonl')}}
extensions:
  console:
    endpoint: 127.0.0.1:${port}
    token_file: ${tokenFile}
service:
  extensions: [console]
  pipelines:
    metrics: {receivers: [hostmetrics], processors: [batch], exporters: [nop]}
    logs: {receivers: [filelog], exporters: [file]}
`,
    });
    writer = setInterval(() => appendFileSync(logFile, `request ${++n} served in ${n % 17} ms\n`), 100);
  });
  afterAll(async () => {
    clearInterval(writer);
    await agent?.stop();
  });

  const cfg = () => ['--config', agent.configPath];

  it('tap shows live records of the hostmetrics pipeline, one readable line each', async () => {
    const r = await runCli(['tap', 'hostmetrics', '--limit', '6', ...cfg()]);
    expect(r.stderr).toContain('# tapping');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(6);
    for (const l of lines) expect(l).toMatch(/^\d\d:\d\d:\d\d\.\d{3} receiver:hostmetrics out (sum|gauge) system\.\S+ -?[\d.e+-]+/);
    // The processor's inputs and the exporter's inputs are tapped too.
    const p = await runCli(['tap', 'batch', '--inputs', '--limit', '2', ...cfg()]);
    expect(p.code).toBe(0);
    expect(p.stdout).toMatch(/processor:batch@metrics in /);
    const e = await runCli(['tap', 'nop', '--json', '--limit', '1', ...cfg()]);
    expect(e.code).toBe(0);
    const req = JSON.parse(e.stdout.trim()) as { resourceMetrics: { scopeMetrics: { metrics: { name: string }[] }[] }[] };
    expect(req.resourceMetrics[0]!.scopeMetrics[0]!.metrics[0]!.name).toMatch(/^system\./);
  });

  it('tap shows live records of the filelog pipeline', async () => {
    const r = await runCli(['tap', 'filelog', '--limit', '3', ...cfg()]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    for (const l of lines) expect(l).toMatch(/receiver:filelog out log - "request \d+ served in \d+ ms" \{log\.file\.name="app\.log"/);
    // The exporter of the logs pipeline (no processors) sees what the receiver passes on.
    const e = await runCli(['tap', 'file', '--limit', '1', ...cfg()]);
    expect(e.stdout).toMatch(/exporter:file in log - "request \d+/);
  });

  it('tap stops cleanly on Ctrl-C (SIGINT)', async () => {
    const p = spawn(process.execPath, [BIN, 'tap', 'filelog', ...cfg()], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    p.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    await until(() => out.includes('request '), 15_000, 'a tapped record');
    const code = new Promise<number | null>((r) => p.on('exit', (c) => r(c)));
    p.kill('SIGINT');
    expect(await code).toBe(0);
    expect(err).toMatch(/# stopped after \d+ records?/);
    expect(err).not.toMatch(/Error|at .*\.js/);
    // The tap was closed on the agent side.
    await until(async () => {
      const c = await runCli(['top', ...cfg()]);
      return c.code === 0;
    }, 10_000, 'top answering');
  });

  it('tap refuses an unknown component and names the running ones', async () => {
    const r = await runCli(['tap', 'nosuch', ...cfg()]);
    expect(r.code).toBe(65);
    expect(r.stderr).toContain('no running component "nosuch"; running: batch, file, filelog, hostmetrics, nop');
  });

  it('top prints a plain table of every component when stdout is not a terminal', async () => {
    const r = await runCli(['top', ...cfg()]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^telemd top — 127\.0\.0\.1:\d+ — CPU [\d.]+%\s+RSS [\d.]+ MiB/);
    for (const c of ['receiver hostmetrics', 'receiver filelog', 'processor batch (metrics)', 'exporter nop', 'exporter file']) expect(r.stdout).toContain(c);
    const row = r.stdout.split('\n').find((l) => l.startsWith('receiver hostmetrics'))!;
    const [, , , inRate, outRate] = row.split(/\s+/);
    expect(Number(inRate)).toBeGreaterThan(0);
    expect(Number(outRate)).toBeGreaterThan(0);
  });

  it.skipIf(!haveTmux)('top runs full screen in a real terminal (tmux): every component, keys sort and quit', async () => {
    const session = `telemd-top-${process.pid}-${Date.now()}`;
    const tmux = (...a: string[]) => spawnSync('tmux', a, { encoding: 'utf8' });
    const started = tmux('new-session', '-d', '-s', session, '-x', '150', '-y', '30', `${process.execPath} ${BIN} top --config ${agent.configPath}`);
    expect(started.status).toBe(0);
    try {
      const screen = () => tmux('capture-pane', '-p', '-t', session).stdout ?? '';
      await until(() => /receiver hostmetrics\s+running\s+\d/.test(screen()), 15_000, 'top to draw rates');
      const s = screen();
      for (const c of ['receiver hostmetrics', 'receiver filelog', 'processor batch (metrics)', 'exporter nop', 'exporter file', 'COMPONENT', 'IN/S', 'OUT/S', 'QUEUE']) expect(s).toContain(c);
      expect(s).toMatch(/CPU [\d.]+%\s+RSS [\d.]+ MiB/);
      expect(s).toContain('sort: name');
      tmux('send-keys', '-t', session, 'o');
      await until(() => screen().includes('sort: out'), 5000, 'sort by out/s');
      // Sorted by out/s: the busiest first (hostmetrics and batch above the idle extension-free rows).
      const rows = screen().split('\n').filter((l) => /^(receiver|processor|exporter) /.test(l));
      const rates = rows.map((l) => Number(l.trim().split(/\s{2,}/)[3]));
      expect(rates.filter((x) => !Number.isNaN(x))).toEqual([...rates.filter((x) => !Number.isNaN(x))].sort((a, b) => b - a));
      tmux('send-keys', '-t', session, 'q');
      await until(() => tmux('has-session', '-t', session).status !== 0, 5000, 'top to quit on q');
    } finally {
      tmux('kill-session', '-t', session);
    }
  });

  it('says clearly when the agent is not running or the token cannot be read (exit codes)', async () => {
    const free = await freePort();
    const down = await runCli(['query', 'up', '--endpoint', `127.0.0.1:${free}`, '--token-file', tokenFile]);
    expect(down.code).toBe(69);
    expect(down.stderr).toContain(`the agent is not running (nothing listens on 127.0.0.1:${free}`);
    const noToken = await runCli(['top', '--endpoint', `127.0.0.1:${port}`, '--token-file', join(dir, 'missing.token')]);
    expect(noToken.code).toBe(77);
    expect(noToken.stderr).toContain('missing.token does not exist');
    const wrong = join(dir, 'wrong.token');
    writeFileSync(wrong, 'not-the-token\n');
    const refused = await runCli(['tap', 'filelog', '--endpoint', `127.0.0.1:${port}`, '--token-file', wrong]);
    expect(refused.code).toBe(77);
    expect(refused.stderr).toContain('the agent refused the token: invalid bearer token');
    const usage = await runCli(['top', '--bogus', ...cfg()]);
    expect(usage.code).toBe(64);
    expect(usage.stderr).toContain('unknown flag --bogus');
  });
});
