// The command line as a user meets it: strict flags (exit 64 with that command's usage), help
// with flags/exit codes/environment/signals from the same specs as the man page, version,
// the Collector's config URIs, a listener that cannot bind, and SIGTERM whatever stdout does.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, ROOT, runCli, tempDir } from '../helpers/agent.js';
import { freePort } from '../helpers/ports.js';

const MINIMAL = 'receivers:\n  nop:\nexporters:\n  nop:\nservice:\n  pipelines:\n    metrics: { receivers: [nop], exporters: [nop] }\n';

describe('telemd CLI: flags, help, version', () => {
  it.each([
    [['validate', '--bogus'], 'telemd validate: unknown flag --bogus', 'usage: telemd validate'],
    [['run', '--confg', 'x.yaml'], 'telemd run: unknown flag --confg; did you mean --config?', 'usage: telemd run'],
    [['--confg', 'x.yaml'], 'telemd run: unknown flag --confg', 'usage: telemd run'],
    [['service', 'install', '--force'], 'telemd service install: unknown flag --force', 'usage: telemd service install'],
    [['query', 'up', '--range'], 'telemd query: --range needs a value (D)', 'usage: telemd query'],
    [['components', 'extra'], 'telemd components: expected no arguments, got 1', 'usage: telemd components'],
    [['validate', '--config=a.yaml', '--dry-run'], 'telemd validate: unknown flag --dry-run', 'usage: telemd validate'],
  ])('%j exits 64 with that command\'s usage', async (argv, message, usage) => {
    const r = await runCli(argv);
    expect(r.code).toBe(64);
    expect(r.stderr).toContain(message);
    expect(r.stderr).toContain(usage);
    expect(r.stdout).toBe('');
  });

  it('an unknown command or subcommand exits 64 with the command list', async () => {
    const r = await runCli(['valdate']);
    expect(r.code).toBe(64);
    expect(r.stderr).toContain('unknown command "valdate"; did you mean validate?');
    expect(r.stderr).toContain('commands:');
    const s = await runCli(['service', 'reinstall']);
    expect(s.code).toBe(64);
    expect(s.stderr).toContain('unknown subcommand "reinstall"');
    expect(s.stderr).toContain('usage: telemd service install');
  });

  it('telemd help CMD and telemd CMD --help print the same: flags, exit codes, environment, signals', async () => {
    const a = await runCli(['help', 'run']);
    const b = await runCli(['run', '--help']);
    expect(a.code).toBe(0);
    expect(b.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    for (const part of ['usage: telemd run', 'flags:', '--config URI', 'exit codes:', '69  a listener cannot bind', 'environment:', 'OTEL_RESOURCE_ATTRIBUTES', 'signals:', 'SIGHUP']) expect(a.stdout).toContain(part);
    const q = await runCli(['help', 'query']);
    expect(q.stdout).toContain('--range D');
    expect(q.stdout).toContain('77  permission denied');
    const si = await runCli(['service', 'install', '-h']);
    expect(si.stdout).toBe((await runCli(['help', 'service', 'install'])).stdout);
    expect((await runCli(['help', 'nosuch'])).code).toBe(64);
  });

  it('version, --version; the man page and the completion come from the same specs', async () => {
    const v = await runCli(['version']);
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(/^telemd \d+\.\d+\.\d+ \(Node\.js \d+\.\d+\.\d+\)\n$/);
    expect((await runCli(['--version'])).stdout).toBe(v.stdout);
    const man = await runCli(['man']);
    expect(man.stdout).toMatch(/^\.TH TELEMD 1/);
    for (const flag of ['copy\\-to', 'token\\-file', 'unit\\-path']) expect(man.stdout).toContain(flag);
    const comp = await runCli(['completion', 'bash']);
    expect(comp.stdout).toContain('complete -F _telemd telemd');
    expect(comp.stdout).toContain('--copy-to');
    expect((await runCli(['completion', 'zsh'])).code).toBe(64);
  });
});

describe('telemd validate and --config URIs', () => {
  it('without --config says which config it validates', async () => {
    const r = await runCli(['validate']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(`telemd validate: no --config given: validating the embedded default config ${join(ROOT, 'config', 'default.yaml')}\n`);
    expect(r.stdout).toMatch(/default\.yaml: config is valid \(3 pipelines\)/);
  });

  it('takes a plain path, file:, env: and yaml: (with :: keys), merged in order', async () => {
    const dir = tempDir();
    const f = join(dir, 'base.yaml');
    writeFileSync(f, MINIMAL);
    for (const argv of [['--config', f], ['--config', `file:${f}`], ['--config', 'env:TELEMD_TEST_CFG']]) {
      const r = await runCli(['validate', ...argv], { env: { TELEMD_TEST_CFG: MINIMAL } });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    }
    const p = await runCli(['print-config', '--config', `file:${f}`, '--config', 'yaml:processors::batch::timeout: 3s', '--config', 'yaml:service::pipelines::metrics::processors: [batch]']);
    expect(p.code).toBe(0);
    expect(p.stdout).toMatch(/batch:\n\s+send_batch_size: 8192\n\s+timeout: 3s/);
    expect(p.stdout).toMatch(/processors:\n\s+- batch/);
  });

  it('says what is wrong with a URI, exit 78', async () => {
    const unset = await runCli(['validate', '--config', 'env:TELEMD_NOT_SET_ANYWHERE']);
    expect(unset.code).toBe(78);
    expect(unset.stderr).toContain('env:TELEMD_NOT_SET_ANYWHERE: the environment variable TELEMD_NOT_SET_ANYWHERE is not set');
    const http = await runCli(['validate', '--config', 'https://example.invalid/c.yaml']);
    expect(http.code).toBe(78);
    expect(http.stderr).toContain('https: config URIs are not supported');
    const scheme = await runCli(['validate', '--config', 's3:bucket/c.yaml']);
    expect(scheme.stderr).toContain('"s3:" is not a config URI scheme telemd knows');
    const bad = await runCli(['validate', '--config', 'yaml:receivers::nop: [oops']);
    expect(bad.code).toBe(78);
    expect(bad.stderr).toMatch(/yaml:receivers::nop: \[oops:1:\d+: YAML syntax error/);
  });
});

describe('telemd run: listeners and signals', () => {
  const procs: ReturnType<typeof spawn>[] = [];
  const servers: Server[] = [];
  afterEach(() => {
    for (const p of procs.splice(0)) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    for (const s of servers.splice(0)) s.close();
  });

  async function taken(): Promise<number> {
    const s = createServer();
    servers.push(s);
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
    return (s.address() as { port: number }).port;
  }

  it.each([
    ['service::telemetry::metrics::address', 'self-metrics'],
    ['receivers::otlp::protocols::http::endpoint', 'otlp (OTLP/HTTP)'],
    ['receivers::otlp::protocols::grpc::endpoint', 'otlp (OTLP/gRPC)'],
    ['exporters::prometheus::endpoint', 'prometheus (prometheus exporter)'],
  ])('a listener that cannot bind (%s) is named once with its config key, exit 69, no stack', async (key, listener) => {
    const busy = await taken();
    const addr: Record<string, string> = {
      'service::telemetry::metrics::address': `127.0.0.1:${await freePort()}`,
      'receivers::otlp::protocols::http::endpoint': `127.0.0.1:${await freePort()}`,
      'receivers::otlp::protocols::grpc::endpoint': `127.0.0.1:${await freePort()}`,
      'exporters::prometheus::endpoint': `127.0.0.1:${await freePort()}`,
    };
    addr[key] = `127.0.0.1:${busy}`;
    const dir = tempDir();
    const f = join(dir, 'c.yaml');
    writeFileSync(
      f,
      `receivers:\n  otlp:\n    protocols:\n      http: { endpoint: "${addr['receivers::otlp::protocols::http::endpoint']}" }\n      grpc: { endpoint: "${addr['receivers::otlp::protocols::grpc::endpoint']}" }\n` +
        `exporters:\n  prometheus: { endpoint: "${addr['exporters::prometheus::endpoint']}" }\n` +
        `service:\n  pipelines:\n    metrics: { receivers: [otlp], exporters: [prometheus] }\n  telemetry:\n    metrics: { address: "${addr['service::telemetry::metrics::address']}" }\n`,
    );
    const r = await runCli(['run', '--config', f], { cwd: dir });
    expect(r.code).toBe(69);
    const msg = `${listener}: cannot listen on 127.0.0.1:${busy} (${key}): the address is already in use`;
    expect(r.stderr.split('\n').filter((l) => l.includes('cannot listen'))).toEqual([expect.stringContaining(`telemd: ${msg}`)]);
    const logged = r.stdout.split('\n').filter((l) => l.includes('cannot listen'));
    expect(logged).toHaveLength(1);
    expect(JSON.parse(logged[0]!)).toMatchObject({ level: 'fatal', config_key: key, code: 'EADDRINUSE' });
    expect(r.stdout + r.stderr).not.toMatch(/\n\s+at |"stack"/);
  }, 30_000);

  /** An agent whose debug exporter logs every point every 50 ms: stdout fills a pipe quickly. */
  async function chattyConfig(): Promise<{ dir: string; file: string }> {
    const dir = tempDir();
    const file = join(dir, 'c.yaml');
    writeFileSync(
      file,
      `receivers:\n  hostmetrics: { collection_interval: 50ms, scrapers: { cpu: , memory: } }\nexporters:\n  debug: { verbosity: detailed }\n` +
        `service:\n  pipelines:\n    metrics: { receivers: [hostmetrics], exporters: [debug] }\n  telemetry:\n    metrics: { address: "127.0.0.1:${await freePort()}" }\n`,
    );
    return { dir, file };
  }

  function spawnAgent(file: string, dir: string) {
    const p = spawn(process.execPath, [BIN, 'run', '--config', file], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    procs.push(p);
    let stderr = '';
    p.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const exited = new Promise<{ code: number | null; ms: number; stderr: string }>((resolve) => {
      let sentAt = 0;
      const orig = p.kill.bind(p);
      p.kill = (sig?: NodeJS.Signals | number) => {
        sentAt = Date.now();
        return orig(sig);
      };
      p.on('exit', (code) => resolve({ code, ms: sentAt ? Date.now() - sentAt : -1, stderr }));
    });
    return { p, exited };
  }

  it('SIGTERM ends the agent in time while nobody reads its stdout (a full pipe)', async () => {
    const { dir, file } = await chattyConfig();
    const { p, exited } = spawnAgent(file, dir);
    p.stdout!.pause(); // never read: the pipe fills within a second
    await new Promise((r) => setTimeout(r, 3000));
    expect(p.exitCode).toBeNull();
    p.kill('SIGTERM');
    const r = await exited;
    expect(r.code).toBe(0);
    // service.shutdown_timeout (10 s) is the bound; stuck stdout costs at most the 1 s log flush.
    expect(r.ms).toBeLessThan(10_000);
  }, 30_000);

  it('SIGTERM ends the agent at once when the reader of its stdout exited (EPIPE)', async () => {
    const { dir, file } = await chattyConfig();
    const { p, exited } = spawnAgent(file, dir);
    await new Promise<void>((r) => p.stdout!.once('data', () => r()));
    p.stdout!.destroy();
    await new Promise((r) => setTimeout(r, 1000));
    expect(p.exitCode).toBeNull();
    p.kill('SIGTERM');
    const r = await exited;
    expect(r.code).toBe(0);
    expect(r.ms).toBeLessThan(10_000);
    expect(r.stderr).toMatch(/log lines were not written \(stdout blocked or closed\)/);
  }, 30_000);

  it('logs "shutting down" before "stopped", each once', async () => {
    const dir = tempDir();
    const file = join(dir, 'c.yaml');
    writeFileSync(file, `${MINIMAL}  telemetry:\n    metrics: { address: "127.0.0.1:${await freePort()}" }\n`);
    const { p, exited } = spawnAgent(file, dir);
    let out = '';
    p.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
    while (!out.includes('pipelines running')) await new Promise((r) => setTimeout(r, 50));
    p.kill('SIGTERM');
    expect((await exited).code).toBe(0);
    const msgs = out.trim().split('\n').map((l) => (JSON.parse(l) as { msg: string }).msg);
    const i = msgs.findIndex((m) => m.startsWith('shutting down'));
    const j = msgs.indexOf('telemd stopped');
    expect(i).toBeGreaterThan(-1);
    expect(j).toBeGreaterThan(i);
    expect(msgs.filter((m) => m === 'telemd stopped')).toHaveLength(1);
  }, 30_000);
});
