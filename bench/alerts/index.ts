// bench:alerts — telemd's stock rules on the real host at collection_interval 1s, against a real
// Alertmanager: a quiet baseline (alerts there are false positives, unless the host really was
// in the state the rule describes), then incidents injected one at a time (CPU burn, memory
// balloon, a tmpfs filling fast, a burst of error log lines, a stopped backend), each timed from
// injection to the alert at Alertmanager (goal: 30 s). Side by side, in the same run:
//  - a twin telemd with the same pipelines but no alerts connector (the connector's CPU cost),
//  - the real Prometheus evaluating the same stock rules over telemd's scraped metrics
//    (prometheus exporter + self-metrics at 1 s; it has no anomaly tags or log counts), sending
//    to the same Alertmanager (label source=prometheus).
//
// Usage: npm run bench:alerts [-- --baseline 10m] [--eval 5s] [--keep DIR]
// The reported figure must use a baseline of at least 10 minutes (the default, 2m, is for
// development). Needs root for the tmpfs incident (skipped otherwise) and uses a memory balloon of
// 15 % of RAM (at most 4 GiB) for ~30 s.
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer as createHttp, type Server } from 'node:http';
import { createServer as createNet } from 'node:net';
import { cpus, hostname, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { execFileSync } from 'node:child_process';
import { cpuSeconds, sleep, treeCpuSeconds } from '../common/proctree.js';
import { STOCK_RULES } from '../../connectors/alerts/stock-rules.js';
import { parseDuration } from '../../src/promql/durations.js';

const root = resolve(import.meta.dirname, '..', '..');
const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1]! : dflt;
};
const dur = (s: string) => {
  const d = parseDuration(s);
  if (typeof d !== 'number') throw new Error(`bad duration ${s}`);
  return d;
};
const BASELINE_MS = dur(arg('--baseline', '2m'));
const EVAL = arg('--eval', '5s');
const GOAL_S = 30;
const WAIT_S = 90;

const freePort = () =>
  new Promise<number>((res) => {
    const s = createNet().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => res(p));
    });
  });

const dir = process.argv.includes('--keep') ? arg('--keep', '') : mkdtempSync(join(tmpdir(), 'telemd-bench-alerts-'));
mkdirSync(dir, { recursive: true });
const children: ChildProcess[] = [];
const cleanups: (() => void)[] = [];
function child(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; log?: string } = {}): ChildProcess {
  const p = spawn(cmd, args, { stdio: ['ignore', opts.log ? 'pipe' : 'ignore', opts.log ? 'pipe' : 'ignore'], env: opts.env ?? process.env, cwd: dir });
  if (opts.log) {
    const path = join(dir, opts.log);
    p.stdout?.on('data', (c: Buffer) => appendFileSync(path, c));
    p.stderr?.on('data', (c: Buffer) => appendFileSync(path, c));
  }
  children.push(p);
  return p;
}
async function shutdown(): Promise<void> {
  for (const c of cleanups.splice(0).reverse()) {
    try {
      c();
    } catch {
      // best effort
    }
  }
  for (const p of children) if (p.exitCode === null && p.signalCode === null) p.kill('SIGTERM');
  await sleep(1500);
  for (const p of children) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
}
process.on('SIGINT', () => void shutdown().then(() => process.exit(130)));

async function waitHttp(url: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not yet
    }
    if (Date.now() > end) throw new Error(`${url} did not come up`);
    await sleep(200);
  }
}

const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
function hostBusy(): { busy: number; total: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = f[3]! + f[4]!;
  const total = f.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

// ------------------------------------------------------------------ peers and fixtures

// Alertmanager, with its notifications to a webhook we keep.
const amPort = await freePort();
writeFileSync(join(dir, 'am.yml'), `route:\n  receiver: hook\n  group_by: [alertname, source]\n  group_wait: 1s\n  group_interval: 5s\n  repeat_interval: 4h\nreceivers:\n  - name: hook\n`);
child('/usr/bin/prometheus-alertmanager', [`--config.file=${join(dir, 'am.yml')}`, `--storage.path=${join(dir, 'am')}`, `--web.listen-address=127.0.0.1:${amPort}`, '--cluster.listen-address='], { log: 'am.log' });
const AM = `http://127.0.0.1:${amPort}`;
await waitHttp(`${AM}/-/ready`);

// An OTLP/HTTP backend telemd exports to (stopped in the last incident).
const backendPort = await freePort();
let backend: Server | undefined;
const sockets = new Set<import('node:net').Socket>();
function startBackend(): Promise<void> {
  backend = createHttp((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end());
  });
  backend.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return new Promise((r) => backend!.listen(backendPort, '127.0.0.1', () => r()));
}
function stopBackend(): Promise<void> {
  return new Promise((r) => {
    backend!.close(() => r());
    for (const s of sockets) s.destroy();
  });
}
await startBackend();

// A small tmpfs (root only), mounted before the baseline so its series are known.
const tmpfsDir = join(dir, 'tmpfs');
let tmpfs = false;
mkdirSync(tmpfsDir, { recursive: true });
try {
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256m', 'tmpfs', tmpfsDir], { stdio: 'ignore' });
  tmpfs = true;
  const umount = () => {
    if (!tmpfs) return;
    tmpfs = false;
    try {
      execFileSync('umount', ['-l', tmpfsDir], { stdio: 'ignore' });
    } catch {
      // already gone
    }
  };
  cleanups.push(umount);
  process.on('exit', umount);
} catch {
  console.log('note: cannot mount a tmpfs (not root?): the filesystem incident is skipped');
}

// An application log: an INFO line every second, a burst of errors in the log incident.
const logFile = join(dir, 'app.log');
writeFileSync(logFile, '');
let seq = 0;
const infoTimer = setInterval(() => appendFileSync(logFile, `${new Date().toISOString()} INFO request ${++seq} served path=/api/items/${seq % 97} in ${5 + (seq % 13)}ms\n`), 1000);
cleanups.push(() => clearInterval(infoTimer));

// ------------------------------------------------------------------ the agents

interface Ports {
  prom: number;
  self: number;
}
function agentConfig(ports: Ports, withAlerts: boolean, name: string): string {
  const state = join(dir, `${name}-state`);
  mkdirSync(state, { recursive: true });
  const errorCond = `severity_number >= SEVERITY_NUMBER_ERROR or IsMatch(body, "(?i)\\\\b(error|fail(ed|ure)?|fatal|panic|exception|critical)\\\\b")`;
  return `receivers:
  hostmetrics:
    collection_interval: 1s
    scrapers:
      cpu:
      memory:
        metrics:
          system.linux.memory.available: { enabled: true }
      load:
      filesystem:
        include_virtual_filesystems: true
      network:
      disk:
      paging:
  filelog:
    include: [${logFile}]
    start_at: end
processors:
  batch: { timeout: 200ms }
  forecast:
  anomaly:
    include: [system.cpu.time, system.memory.usage, system.cpu.load_average.1m, system.disk.io_time]
  logpattern:
connectors:
  forward/alerts:
  count/alerts:
    logs:
      telemd.log.errors:
        conditions: ['${errorCond.replace(/'/g, "''")}']
      telemd.log.new_error_templates:
        conditions: ['attributes["anomaly.reason"] == "new_template" and (${errorCond.replace(/'/g, "''")})']
        attributes: [{ key: log.template }]
${
  withAlerts
    ? `  alerts:
    evaluation_interval: ${EVAL}
    stock_rules: true
    storage: file_storage
    external_labels: { instance: ${hostname()}, source: telemd }
    alertmanager:
      endpoints: [${AM}]
`
    : ''
}exporters:
  prometheus: { endpoint: 127.0.0.1:${ports.prom} }
  otlphttp/backend:
    endpoint: http://127.0.0.1:${backendPort}
  file/alerts: { path: ${join(dir, `${name}-alerts.jsonl`)} }
  nop:
extensions:
  file_storage: { directory: ${state} }
service:
  extensions: [file_storage]
  telemetry:
    metrics: { address: 127.0.0.1:${ports.self} }
  pipelines:
    metrics:
      receivers: [hostmetrics]
      processors: [forecast, batch]
      exporters: [prometheus, otlphttp/backend, forward/alerts]
    metrics/alerts:
      receivers: [forward/alerts, count/alerts]
      processors: [anomaly]
      exporters: [${withAlerts ? 'alerts' : 'nop'}]
    logs:
      receivers: [filelog]
      processors: [logpattern]
      exporters: [count/alerts]
${withAlerts ? `    logs/alerts:\n      receivers: [alerts]\n      exporters: [file/alerts]\n` : ''}`;
}

async function startTelemd(name: string, withAlerts: boolean): Promise<{ proc: ChildProcess; ports: Ports }> {
  const ports = { prom: await freePort(), self: await freePort() };
  const path = join(dir, `${name}.yaml`);
  writeFileSync(path, agentConfig(ports, withAlerts, name));
  const proc = child(process.execPath, ['--v8-pool-size=1', join(root, 'bin', 'telemd.js'), 'run', '--config', path], { log: `${name}.log` });
  await waitHttp(`http://127.0.0.1:${ports.self}/metrics`);
  return { proc, ports };
}

const agent = await startTelemd('telemd', true);
const twin = await startTelemd('twin', false);

// Prometheus with the same rules over what telemd exports.
const promPort = await freePort();
writeFileSync(join(dir, 'stock.yml'), STOCK_RULES);
writeFileSync(
  join(dir, 'prometheus.yml'),
  `global: { scrape_interval: 1s, evaluation_interval: ${EVAL}, external_labels: { source: prometheus } }
rule_files: [stock.yml]
alerting:
  alertmanagers: [{ static_configs: [{ targets: ['127.0.0.1:${amPort}'] }] }]
scrape_configs:
  - job_name: telemd
    static_configs: [{ targets: ['127.0.0.1:${agent.ports.prom}', '127.0.0.1:${agent.ports.self}'] }]
`,
);
const prom = child('/usr/bin/prometheus', [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'prom')}`, `--web.listen-address=127.0.0.1:${promPort}`], { log: 'prometheus.log' });
await waitHttp(`http://127.0.0.1:${promPort}/-/ready`);

// ------------------------------------------------------------------ observing Alertmanager

interface Seen {
  fp: string;
  alertname: string;
  labels: Record<string, string>;
  source: string;
  firstSeen: number;
}
const seen = new Map<string, Seen>();
let polling = true;
const poller = (async () => {
  while (polling) {
    try {
      const list = (await (await fetch(`${AM}/api/v2/alerts`)).json()) as { fingerprint: string; labels: Record<string, string> }[];
      for (const a of list)
        if (!seen.has(a.fingerprint)) seen.set(a.fingerprint, { fp: a.fingerprint, alertname: a.labels.alertname!, labels: a.labels, source: a.labels.source ?? '', firstSeen: Date.now() });
    } catch {
      // Alertmanager busy: next round
    }
    await sleep(250);
  }
})();
const active = async () => (await (await fetch(`${AM}/api/v2/alerts`)).json()) as { fingerprint: string; labels: Record<string, string> }[];

// ------------------------------------------------------------------ baseline

const t0 = Date.now();
console.log(`telemd bench:alerts — stock rules, hostmetrics at 1 s, evaluation every ${EVAL}, Alertmanager 0.25 at ${AM}`);
console.log(`machine: ${cpus().length} CPUs, ${(totalmem() / 2 ** 30).toFixed(1)} GiB; load ${load()} at start (the machine is shared: other engineers' work is in these figures)`);
console.log(`baseline: ${BASELINE_MS / 60_000} min${BASELINE_MS < 600_000 ? ' (development run: the reported figure needs --baseline 10m)' : ''}`);
const cpu0 = { agent: treeCpuSeconds(agent.proc.pid!), twin: treeCpuSeconds(twin.proc.pid!), prom: cpuSeconds(prom.pid!) };
const busySamples: { t: number; busy: number; load1: number }[] = [];
let prevBusy = hostBusy();
const sampler = setInterval(() => {
  const b = hostBusy();
  busySamples.push({ t: Date.now(), busy: (b.busy - prevBusy.busy) / Math.max(1, b.total - prevBusy.total), load1: Number(load().split(' ')[0]) });
  prevBusy = b;
}, 1000);
cleanups.push(() => clearInterval(sampler));
await sleep(BASELINE_MS);
const baseEnd = Date.now();
const cpu1 = { agent: treeCpuSeconds(agent.proc.pid!), twin: treeCpuSeconds(twin.proc.pid!), prom: cpuSeconds(prom.pid!) };
const selfText = await (await fetch(`http://127.0.0.1:${agent.ports.self}/metrics`)).text();
const evalSeconds = Number(/telemd_connector_alerts_evaluation_seconds_total\{[^}]*\} (\S+)/.exec(selfText)?.[1] ?? NaN);
const promText = await (await fetch(`http://127.0.0.1:${promPort}/metrics`)).text();
const promEval = [...promText.matchAll(/prometheus_rule_group_duration_seconds_sum (\S+)/g)].reduce((a, m) => a + Number(m[1]), 0);
const promEvalCount = Number(/prometheus_rule_group_duration_seconds_count (\S+)/.exec(promText)?.[1] ?? NaN);

const baselineAlerts = [...seen.values()];
const meanBusy = busySamples.reduce((a, s) => a + s.busy, 0) / Math.max(1, busySamples.length);
const explained = (a: Seen): string | undefined => {
  // Rules about the host's load are right when the host really is that loaded.
  const win = busySamples.filter((s) => s.t <= a.firstSeen && s.t >= a.firstSeen - 10 * 60_000);
  const busy = win.reduce((x, s) => x + s.busy, 0) / Math.max(1, win.length);
  const load1 = win.reduce((x, s) => x + s.load1, 0) / Math.max(1, win.length);
  if (a.alertname === 'HostCpuSaturated' && busy > 0.95) return `host CPU measured ${(busy * 100).toFixed(0)}% busy over the 10 min before`;
  if (a.alertname === 'HostHighLoad' && load1 / cpus().length > 2) return `host load measured ${(load1 / cpus().length).toFixed(1)} per CPU`;
  return undefined;
};

// ------------------------------------------------------------------ incidents

interface Incident {
  name: string;
  matches(a: Seen): boolean;
  start(): Promise<() => Promise<void>>;
  skip?: string;
}

const incidents: Incident[] = [
  {
    name: 'CPU burn (a busy loop per CPU)',
    matches: (a) => (a.alertname === 'HostMetricAnomaly' && /cpu/.test(a.labels.anomaly_metric ?? '')) || a.alertname === 'HostCpuSaturated' || a.alertname === 'HostHighLoad',
    start: async () => {
      const burners = cpus().map(() => child(process.execPath, ['-e', 'for(;;){}']));
      return async () => {
        for (const b of burners) b.kill('SIGKILL');
      };
    },
  },
  {
    name: `memory balloon (${(Math.min(4 * 2 ** 30, totalmem() * 0.15) / 2 ** 30).toFixed(1)} GiB)`,
    matches: (a) => (a.alertname === 'HostMetricAnomaly' && a.labels.anomaly_metric === 'system_memory_usage_bytes') || a.alertname === 'HostMemoryLow',
    start: async () => {
      const bytes = Math.floor(Math.min(4 * 2 ** 30, totalmem() * 0.15));
      const b = child(process.execPath, ['-e', `const k=[];let n=0;const t=setInterval(()=>{if(n>=${bytes}){clearInterval(t);return}const c=Buffer.alloc(64<<20,1);k.push(c);n+=c.length},20);setInterval(()=>k.length,1e6)`]);
      return async () => {
        b.kill('SIGKILL');
      };
    },
  },
  {
    name: 'tmpfs filling fast (256 MiB at 8 MiB/s)',
    skip: tmpfs ? undefined : 'needs root to mount a tmpfs',
    matches: (a) => /^HostFilesystem/.test(a.alertname) && a.labels.mountpoint === tmpfsDir,
    start: async () => {
      let i = 0;
      const chunk = Buffer.alloc(4 << 20, 7);
      const t = setInterval(() => {
        try {
          writeFileSync(join(tmpfsDir, `fill-${i++}`), chunk);
        } catch {
          clearInterval(t); // full
        }
      }, 500);
      return async () => {
        clearInterval(t);
        for (let j = 0; j < i; j++) if (existsSync(join(tmpfsDir, `fill-${j}`))) unlinkSync(join(tmpfsDir, `fill-${j}`));
      };
    },
  },
  {
    name: 'burst of error log lines (50/s)',
    matches: (a) => a.alertname === 'LogErrorRateJump' || a.alertname === 'LogNewErrorTemplate',
    start: async () => {
      let n = 0;
      const t = setInterval(() => {
        let s = '';
        for (let k = 0; k < 5; k++) s += `${new Date().toISOString()} ERROR payment worker ${n % 7}: connection refused by db-primary:5432 (attempt ${++n})\n`;
        appendFileSync(logFile, s);
      }, 100);
      return async () => clearInterval(t);
    },
  },
  {
    name: 'stopped backend (the OTLP/HTTP receiver telemd exports to)',
    matches: (a) => a.alertname === 'TelemdExporterStalled',
    start: async () => {
      await stopBackend();
      return async () => startBackend();
    },
  },
];

interface Result {
  name: string;
  telemd?: { s: number; alert: string };
  prometheus?: { s: number; alert: string };
  load: string;
  skipped?: string;
}
const results: Result[] = [];
for (const inc of incidents) {
  if (inc.skip) {
    results.push({ name: inc.name, load: load(), skipped: inc.skip });
    continue;
  }
  // Wait for the previous incident's alerts to end (at most 3 min) so each is timed alone.
  const quietEnd = Date.now() + 180_000;
  while (Date.now() < quietEnd && (await active()).some((a) => inc.matches({ fp: a.fingerprint, alertname: a.labels.alertname!, labels: a.labels, source: a.labels.source ?? '', firstSeen: 0 }))) await sleep(1000);
  const before = new Set(seen.keys());
  const l = load();
  const at = Date.now();
  const stop = await inc.start();
  const r: Result = { name: inc.name, load: l };
  while (Date.now() - at < WAIT_S * 1000 && (!r.telemd || !r.prometheus)) {
    for (const a of seen.values()) {
      if (before.has(a.fp) || !inc.matches(a)) continue;
      const hit = { s: (a.firstSeen - at) / 1000, alert: `${a.alertname}${a.labels.anomaly_metric ? `{${a.labels.anomaly_metric}}` : ''}` };
      if (a.source === 'telemd' && !r.telemd) r.telemd = hit;
      if (a.source === 'prometheus' && !r.prometheus) r.prometheus = hit;
    }
    if (r.telemd && Date.now() - at > 45_000) break;
    await sleep(250);
  }
  await stop();
  results.push(r);
  console.log(`  ${inc.name}: telemd ${r.telemd ? `${r.telemd.s.toFixed(1)} s (${r.telemd.alert})` : `not within ${WAIT_S} s`}; prometheus ${r.prometheus ? `${r.prometheus.s.toFixed(1)} s (${r.prometheus.alert})` : `none within the wait`}; load at injection ${l}`);
}

polling = false;
await poller;

// ------------------------------------------------------------------ report

const baseS = (baseEnd - t0) / 1000;
const pct = (s: number) => `${((s / baseS) * 100).toFixed(2)}% of a core`;
console.log('');
console.log(`quiet baseline, ${(baseS / 60).toFixed(1)} min, host CPU ${(meanBusy * 100).toFixed(0)}% busy on average, load ${load()} now:`);
const telemdBase = baselineAlerts.filter((a) => a.source === 'telemd');
const promBase = baselineAlerts.filter((a) => a.source === 'prometheus');
const fps = telemdBase.filter((a) => !explained(a));
console.log(`  telemd alerts: ${telemdBase.length} (${fps.length} false positives${telemdBase.length > fps.length ? `, ${telemdBase.length - fps.length} true: the host was in that state` : ''}; goal 0)`);
for (const a of telemdBase) console.log(`    ${((a.firstSeen - t0) / 1000).toFixed(0)} s: ${a.alertname} ${JSON.stringify(a.labels)} ${explained(a) ? `— true: ${explained(a)}` : '— false positive'}`);
console.log(`  prometheus (same rules, scraped): ${promBase.length} alerts${promBase.length ? `: ${promBase.map((a) => a.alertname).join(', ')}` : ''}`);
console.log('');
console.log(`incidents (seconds from injection to the alert at Alertmanager; goal <= ${GOAL_S} s):`);
console.log('  incident'.padEnd(58) + 'telemd'.padEnd(34) + 'prometheus (same rules)'.padEnd(34) + 'load');
for (const r of results) {
  const f = (x?: { s: number; alert: string }) => (x ? `${x.s.toFixed(1)} s ${x.alert}` : r.skipped ? 'skipped' : '—');
  console.log(`  ${r.name.padEnd(56)}${f(r.telemd).padEnd(34)}${f(r.prometheus).padEnd(34)}${r.skipped ?? r.load}`);
}
const met = results.filter((r) => r.telemd && r.telemd.s <= GOAL_S).length;
console.log(`  within ${GOAL_S} s: ${met} of ${results.filter((r) => !r.skipped).length}`);
console.log('');
console.log(`CPU over the baseline (CPU-seconds of the process trees):`);
console.log(`  telemd with the alerts connector: ${(cpu1.agent - cpu0.agent).toFixed(1)} s = ${pct(cpu1.agent - cpu0.agent)}`);
console.log(`  twin without it (same pipelines):  ${(cpu1.twin - cpu0.twin).toFixed(1)} s = ${pct(cpu1.twin - cpu0.twin)}`);
console.log(`  => the connector (window + evaluation + delivery): ${(cpu1.agent - cpu0.agent - (cpu1.twin - cpu0.twin)).toFixed(1)} s = ${pct(cpu1.agent - cpu0.agent - (cpu1.twin - cpu0.twin))}`);
console.log(`  telemd rule evaluation time (telemd_connector_alerts_evaluation_seconds_total): ${evalSeconds.toFixed(2)} s`);
console.log(`  prometheus rule evaluation time (prometheus_rule_group_duration_seconds, ${promEvalCount} group runs): ${promEval.toFixed(2)} s; its whole process (scrape + TSDB + rules): ${(cpu1.prom - cpu0.prom).toFixed(1)} s = ${pct(cpu1.prom - cpu0.prom)}`);
console.log(`  (files in ${dir})`);

await shutdown();
if (!process.argv.includes('--keep')) rmSync(dir, { recursive: true, force: true });
process.exit(0);
