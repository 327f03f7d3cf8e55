// The real telemd process: the default pipeline, signals, reload, health and self-metrics.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../helpers/agent.js';
import { agentsKilledAfterEach } from '../helpers/agents.js';
import { until } from '../helpers/wait.js';
import { freePort } from '../helpers/ports.js';

const startAgent = agentsKilledAfterEach();

async function get(url: string): Promise<{ status: number; body: string }> {
  try {
    const res = await fetch(url);
    return { status: res.status, body: await res.text() };
  } catch {
    return { status: 0, body: '' };
  }
}

describe('the default pipeline (config/default.yaml)', () => {
  it('collects host metrics to the file, serves Prometheus, health and self-metrics, and exits 0 on SIGTERM', async () => {
    const dir = tempDir();
    const promPort = await freePort();
    const healthPort = await freePort();
    const selfPort = await freePort();
    const config = readFileSync(join(ROOT, 'config', 'default.yaml'), 'utf8')
      .replaceAll('127.0.0.1:9464', `127.0.0.1:${promPort}`)
      .replaceAll('127.0.0.1:13133', `127.0.0.1:${healthPort}`)
      .replaceAll('127.0.0.1:13380', `127.0.0.1:${await freePort()}`)
      .replaceAll('127.0.0.1:8888', `127.0.0.1:${selfPort}`);
    const agent = await startAgent({ config, env: { TELEMD_DATA_DIR: dir } });

    const out = join(dir, 'telemetry.jsonl');
    const text = await until(() => {
      if (!existsSync(out)) return undefined;
      const t = readFileSync(out, 'utf8');
      return ['system.cpu.time', 'system.memory.usage', 'system.filesystem.usage'].every((n) => t.includes(`"${n}"`)) ? t : undefined;
    }, 25_000, 'telemetry.jsonl with cpu, memory and filesystem metrics');
    // One OTLP export request per line.
    const first = JSON.parse(text.split('\n')[0]!) as { resourceMetrics: unknown[] };
    expect(Array.isArray(first.resourceMetrics)).toBe(true);

    const prom = await get(`http://127.0.0.1:${promPort}/metrics`);
    expect(prom.status).toBe(200);
    expect(prom.body).toMatch(/^system_cpu_time_seconds_total\{.*state="user".*\} \d/m);

    const health = await get(`http://127.0.0.1:${healthPort}/`);
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toMatchObject({ healthy: true });

    const self = await get(`http://127.0.0.1:${selfPort}/metrics`);
    expect(self.body).toMatch(/^telemd_receiver_accepted_items_total\{receiver="hostmetrics",signal="metrics"\} [1-9]/m);
    expect(self.body).toMatch(/^telemd_exporter_sent_items_total\{exporter="file",signal="metrics"\} [1-9]/m);
    expect(self.body).toMatch(/^telemd_process_resident_memory_bytes \d+/m);
    expect(self.body).toMatch(/^telemd_process_cpu_seconds_total \d/m);

    const t0 = Date.now();
    expect(await agent.stop()).toBe(0);
    expect(Date.now() - t0).toBeLessThan(10_000);
  });
});

function pipelineConfig(outPath: string, extra = ''): string {
  return `receivers:
  hostmetrics:
    collection_interval: 1s
    scrapers:
      load:
processors:
  batch:
    timeout: 10ms
exporters:
  file:
    path: ${outPath}
    flush_interval: 10ms
extensions:
  health_check:
service:
  extensions: [health_check]
  pipelines:
    metrics:
      receivers: [hostmetrics]
      processors: [batch]
      exporters: [file]
${extra}`;
}

// As root (CI), also prove the default pipeline runs unprivileged, as `npm start` does for users.
const nobodyCanRun =
  process.getuid?.() === 0 &&
  spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '-e', `require('fs').accessSync(${JSON.stringify(join(ROOT, 'dist', 'telemd.js'))})`]).status === 0;

describe.skipIf(!nobodyCanRun)('unprivileged', () => {
  it('runs the default pipeline as an unprivileged user', async () => {
    const dir = tempDir();
    chmodSync(dir, 0o777);
    const port = () => freePort().then((p) => `127.0.0.1:${p}`);
    const config = readFileSync(join(ROOT, 'config', 'default.yaml'), 'utf8')
      .replaceAll('127.0.0.1:9464', await port())
      .replaceAll('127.0.0.1:13133', await port())
      .replaceAll('127.0.0.1:13380', await port())
      .replaceAll('127.0.0.1:8888', await port());
    const agent = await startAgent({ config, dir, uid: 65534, gid: 65534 });
    const out = join(dir, 'data', 'telemetry.jsonl');
    await until(() => existsSync(out) && readFileSync(out, 'utf8').includes('"system.cpu.time"'), 25_000, 'output written by the unprivileged agent');
    expect(statSync(out).uid).toBe(65534);
    expect(agent.logs.filter((l) => l.level === 'error' || l.level === 'fatal')).toEqual([]);
    expect(await agent.stop()).toBe(0);
  });
});

describe('reload', () => {
  it('keeps the running pipeline on SIGHUP with a broken config, applies a good one', async () => {
    const dir = tempDir();
    const tokenFile = join(dir, 'state', 'console.token');
    const config = pipelineConfig(join(dir, 'a.jsonl')).replace('  health_check:\n', `  health_check:\n    enable_reload: true\n    token_file: ${tokenFile}\n`);
    const agent = await startAgent({ config, dir });
    await until(() => existsSync(join(dir, 'a.jsonl')) && readFileSync(join(dir, 'a.jsonl'), 'utf8').includes('system.cpu.load_average.1m'), 15_000, 'first output');

    const original = readFileSync(agent.configPath, 'utf8');
    writeFileSync(agent.configPath, original.replace('timeout: 10ms', 'timeout: ten'));
    agent.proc.kill('SIGHUP');
    const refused = await agent.waitForLog(/reload refused/);
    expect((refused.errors as string[]).join('\n')).toMatch(/timeout: invalid duration "ten"/);
    // Still running and still writing.
    const sizeBefore = readFileSync(join(dir, 'a.jsonl')).length;
    await until(() => readFileSync(join(dir, 'a.jsonl')).length > sizeBefore, 10_000, 'output after refused reload');
    expect((await get(`http://127.0.0.1:${agent.healthPort}/`)).status).toBe(200);

    writeFileSync(agent.configPath, original.replace(join(dir, 'a.jsonl'), join(dir, 'b.jsonl')));
    agent.proc.kill('SIGHUP');
    await agent.waitForLog(/config reloaded/);
    await until(() => existsSync(join(dir, 'b.jsonl')) && readFileSync(join(dir, 'b.jsonl'), 'utf8').includes('system.cpu.load_average'), 15_000, 'output of the new config');

    // POST /reload does the same and reports errors; it needs the token (created 0600 at start).
    writeFileSync(agent.configPath, original.replace(/exporters: \[ ?file ?\]/, 'exporters: [fiel]'));
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    const token = readFileSync(tokenFile, 'utf8').trim();
    expect((await fetch(`http://127.0.0.1:${agent.healthPort}/reload`, { method: 'POST' })).status).toBe(401);
    expect((await fetch(`http://127.0.0.1:${agent.healthPort}/reload`, { method: 'POST', headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    const res = await fetch(`http://127.0.0.1:${agent.healthPort}/reload`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { applied: boolean; errors: string[] };
    expect(body.applied).toBe(false);
    expect(body.errors.join('\n')).toMatch(/exporter "fiel".*did you mean "file"/);
    expect(await agent.stop()).toBe(0);
  });
});

describe('startup failures', () => {
  it('names the component that failed to start and exits non-zero without a stack trace on stderr', async () => {
    const dir = tempDir();
    const port = await freePort();
    // Two components on one port: the second cannot bind.
    const config = pipelineConfig(join(dir, 'a.jsonl')).replace('  health_check:\n', `  health_check:\n    endpoint: 127.0.0.1:${port}\n`) + `  telemetry:\n    metrics:\n      address: 127.0.0.1:${port}\n`;
    const agent = await startAgent({ config, dir, waitReady: false });
    const code = await agent.exited;
    // A listener that cannot bind: exit 69, named with the config key that holds its address.
    expect(code).toBe(69);
    const fatal = agent.logs.find((l) => l.level === 'fatal');
    expect(fatal?.msg).toMatch(/^health_check \(health_check\): cannot listen on 127\.0\.0\.1:\d+ \(extensions::health_check::endpoint\)/);
    expect(agent.stderr).not.toMatch(/\n\s+at /);
  });
});
