// The memory_limiter proof (TELEMD_SOAK=1, run by hand; TELEMD_SOAK_SECONDS shortens it):
// a real agent receives 10x its normal OTLP log input while the backend of its otlphttp exporter
// is down. RSS, read from /proc, must stay under limit_mib + 10% throughout, the limiter must
// refuse (503) rather than grow, and once a real backend (a second telemd writing a file) comes
// up, every record the agent acknowledged with 200 must arrive.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir, type Agent } from '../helpers/agent.js';
import { agentsKilledAfterEach } from '../helpers/agents.js';
import { logsJsonBody, rssMiB } from '../helpers/proc.js';
import { freePort } from '../helpers/ports.js';

const SOAK = !!process.env.TELEMD_SOAK;
const SECONDS = Number(process.env.TELEMD_SOAK_SECONDS ?? 300);
const LIMIT_MIB = 200;
const NORMAL_PER_S = 1000; // a busy host's log rate
const RATE = NORMAL_PER_S * 10;
const PER_REQUEST = 200;
// Like an OTel SDK exporter: give up on a request after 10 s (the agent may still deliver it).
const CLIENT_TIMEOUT_MS = 10_000;

const body = (first: number) => logsJsonBody(first, PER_REQUEST, 'soak');

const startAgent = agentsKilledAfterEach();

describe.skipIf(!SOAK)('memory_limiter soak', () => {
  it(`keeps RSS under limit+10% for ${SECONDS}s with the backend down and 10x input, losing nothing acknowledged`, async () => {
    const dir = tempDir();
    const recvPort = await freePort();
    const backendPort = await freePort();
    const out = join(dir, 'backend.jsonl');
    const agent: Agent = await startAgent({
      env: { NODE_OPTIONS: '--expose-gc' },
      config: `
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:${recvPort}
processors:
  memory_limiter:
    check_interval: 1s
    limit_mib: ${LIMIT_MIB}
exporters:
  otlphttp:
    endpoint: http://127.0.0.1:${backendPort}
    sending_queue:
      num_consumers: 32
      # Room for far more than the limit: only the memory_limiter stands between input and OOM.
      queue_size: 100000
    retry_on_failure:
      initial_interval: 1s
      max_interval: 5s
      max_elapsed_time: 0
service:
  pipelines:
    logs:
      receivers: [otlp]
      processors: [memory_limiter]
      exporters: [otlphttp]
`,
    });
    const pid = agent.proc.pid!;
    const acked = new Set<number>();
    let refused = 0;
    let failed = 0;
    let timedOut = 0;
    let outstanding = 0;
    let maxRss = 0;
    const rssTrace: number[] = [];
    const pending: Promise<void>[] = [];
    let next = 0;

    const send = (first: number): Promise<void> => {
      outstanding++;
      return fetch(`http://127.0.0.1:${recvPort}/v1/logs`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: body(first), signal: AbortSignal.timeout(CLIENT_TIMEOUT_MS),
      })
        .then(async (r) => {
          await r.arrayBuffer();
          if (r.status === 200) for (let i = 0; i < PER_REQUEST; i++) acked.add(first + i);
          else if (r.status === 503) refused++;
          else failed++;
        })
        .catch((e: unknown) => {
          if ((e as Error).name === 'TimeoutError') timedOut++;
          else failed++;
        })
        .finally(() => {
          outstanding--;
        });
    };

    const rssTimer = setInterval(() => {
      const r = rssMiB(pid);
      maxRss = Math.max(maxRss, r);
      rssTrace.push(Math.round(r));
    }, 500);
    const reqPerTick = (RATE / PER_REQUEST) / 10; // ticks of 100 ms
    const end = Date.now() + SECONDS * 1000;
    while (Date.now() < end) {
      for (let k = 0; k < reqPerTick; k++) {
        pending.push(send(next));
        next += PER_REQUEST;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const metricsDown = await (await fetch(`http://127.0.0.1:${agent.selfMetricsPort}/metrics`)).text();

    // The backend comes up: a second telemd writing what it receives to a file.
    const backend = await startAgent({
      env: { NODE_OPTIONS: '' },
      config: `
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:${backendPort}
exporters:
  file:
    path: ${out}
service:
  pipelines:
    logs:
      receivers: [otlp]
      exporters: [file]
`,
    });
    // Wait until the agent's queue has drained, then normal input resumes: it must be
    // acknowledged and delivered.
    const queueSize = async () => {
      const text = await (await fetch(`http://127.0.0.1:${agent.selfMetricsPort}/metrics`)).text();
      return Number(/telemd_exporter_queue_size\{[^}]*\} (\d+)/.exec(text)?.[1] ?? 0);
    };
    const drainEnd = Date.now() + 240_000;
    while ((await queueSize()) > 0 && Date.now() < drainEnd) await new Promise((r) => setTimeout(r, 1000));
    const drainedAfterS = Math.round((Date.now() - (drainEnd - 240_000)) / 1000);
    const after = Date.now() + 60_000;
    while (Date.now() < after) {
      pending.push(send(next));
      next += PER_REQUEST;
      await new Promise((r) => setTimeout(r, (1000 * PER_REQUEST) / NORMAL_PER_S));
    }
    await Promise.race([Promise.all(pending), new Promise((r) => setTimeout(r, 180_000))]);
    clearInterval(rssTimer);
    // Everything the limiter let through (acknowledged or not) must reach the backend.
    const metricsAfter = await (await fetch(`http://127.0.0.1:${agent.selfMetricsPort}/metrics`)).text();
    const passed = Number(/telemd_processor_outgoing_items_total\{[^}]*memory_limiter[^}]*\} (\d+)/.exec(metricsAfter)?.[1] ?? -1);
    const seen = new Set<number>();
    const deadline = Date.now() + 240_000;
    while (Date.now() < deadline) {
      if (existsSync(out)) {
        seen.clear();
        for (const m of readFileSync(out, 'utf8').matchAll(/"key":"seq","value":\{"intValue":"?(\d+)"?\}/g)) seen.add(Number(m[1]));
        if (seen.size >= passed && [...acked].every((s) => seen.has(s))) break;
      }
      await new Promise((r) => setTimeout(r, 2000));
    }
    const lost = [...acked].filter((s) => !seen.has(s));
    const summary = {
      seconds: SECONDS, limit_mib: LIMIT_MIB, max_rss_mib: Math.round(maxRss), sent_records: next, acked_records: acked.size,
      refused_requests_503: refused, failed_requests: failed, client_timeouts: timedOut, delivered_records: seen.size,
      lost_acked_records: lost.length, still_outstanding: outstanding, passed_limiter_items: passed, drained_after_s: drainedAfterS,
      limiter_refused_items: Number(/telemd_processor_refused_items_total\{[^}]*\} (\d+)/.exec(metricsDown)?.[1] ?? 0),
      forced_gc: Number(/telemd_memory_limiter_forced_gc_total\{[^}]*\} (\d+)/.exec(metricsDown)?.[1] ?? 0),
      rss_every_30s: rssTrace.filter((_, i) => i % 60 === 0),
    };
    console.log('memory_limiter soak:', JSON.stringify(summary));
    expect(agent.proc.exitCode).toBeNull(); // still running
    expect(maxRss).toBeLessThanOrEqual(LIMIT_MIB * 1.1);
    expect(refused).toBeGreaterThan(0);
    expect(acked.size).toBeGreaterThan(0);
    expect(lost).toEqual([]);
    expect(seen.size).toBeGreaterThanOrEqual(passed);
    expect(await agent.stop()).toBe(0);
    expect(await backend.stop()).toBe(0);
  }, (SECONDS + 420) * 1000);
});
