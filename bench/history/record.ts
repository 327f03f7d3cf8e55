// Records real hostmetrics at 1 s (every scraper that is not opt-in, default metrics, per_cpu on
// as in the Collector) as OTLP JSON lines, for bench:history to replay. Recording an hour takes
// an hour, so it is done once into .bench-out/ (git-ignored) and reused.
// Usage: tsx bench/history/record.ts [--seconds 3600] [--out .bench-out/history/hostmetrics-1s.jsonl]
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..', '..');
function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : dflt;
}
const seconds = Number(arg('seconds', '3600'));
const out = resolve(root, arg('out', '.bench-out/history/hostmetrics-1s.jsonl'));

const freePort = () =>
  new Promise<number>((res) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => res(p));
    });
  });

export const RECORD_CONFIG = (path: string, metricsPort: number) => `
receivers:
  hostmetrics:
    collection_interval: 1s
    scrapers:
      cpu: { per_cpu: true }
      memory:
      load:
      filesystem:
      network:
      disk:
      paging:
      processes:
      system:
processors:
  batch:
    timeout: 200ms
exporters:
  file:
    path: ${path}
    fsync: false
    rotation: { max_megabytes: 100000 }
service:
  pipelines:
    metrics: { receivers: [hostmetrics], processors: [batch], exporters: [file] }
  telemetry:
    metrics: { address: 127.0.0.1:${metricsPort} }
`;

mkdirSync(dirname(out), { recursive: true });
const dir = mkdtempSync(join(tmpdir(), 'telemd-record-'));
const partial = `${out}.partial`;
rmSync(partial, { force: true });
const cfg = join(dir, 'config.yaml');
writeFileSync(cfg, RECORD_CONFIG(partial, await freePort()));
const agent = spawn(process.execPath, ['--v8-pool-size=1', join(root, 'bin', 'telemd.js'), 'run', '--config', cfg], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
console.log(`recording ${seconds} s of 1 s hostmetrics into ${out} (agent pid ${agent.pid})`);
const stop = () => agent.kill('SIGTERM');
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
const timer = setTimeout(stop, seconds * 1000);
const code = await new Promise<number | null>((r) => agent.once('exit', (c) => r(c)));
clearTimeout(timer);
rmSync(dir, { recursive: true, force: true });
if (code !== 0) {
  console.error(`agent exited with ${code}; partial recording left in ${partial}`);
  process.exit(1);
}
renameSync(partial, out);
console.log(`done: ${out}`);
