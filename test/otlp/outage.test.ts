// The backend goes away while 5k items/s flow in; when it returns every item arrives. Then the
// same with kill -9 of the agent: every item acknowledged before the kill arrives after restart.
// Default: short outages so CI stays fast; TELEMD_SOAK=1 runs the 60 s outage of the issue.
import { afterEach, describe, expect, it } from 'vitest';
import { startAgent, tempDir, type Agent } from '../helpers/agent.js';
import { freePort } from '../helpers/ports.js';
import { Backend, queueAgentConfig, Sender } from './backend.js';
import { logsBody, summarize, waitFor } from './traffic.js';

const SOAK = process.env.TELEMD_SOAK === '1';
const OUTAGE_MS = SOAK ? 60_000 : 5_000;
const RATE = 5_000;

const agents: Agent[] = [];
const backends: Backend[] = [];
afterEach(async () => {
  for (const a of agents.splice(0)) await a.stop();
  for (const b of backends.splice(0)) await b.down();
});

const agentConfig = queueAgentConfig;

describe('outage and crash', () => {
  it(`delivers every item after a ${OUTAGE_MS / 1000} s backend outage at ${RATE} items/s`, async () => {
    const backend = new Backend(await freePort());
    backends.push(backend);
    await backend.up();
    const rx = await freePort();
    const agent = await startAgent({ config: agentConfig(rx, backend.url, tempDir()) });
    agents.push(agent);
    const sender = new Sender(`http://127.0.0.1:${rx}/v1/logs`, RATE, logsBody);
    sender.start();
    await new Promise((r) => setTimeout(r, 1000));
    await backend.down();
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    await backend.up();
    await new Promise((r) => setTimeout(r, 1000));
    await sender.stop();
    const total = sender.sent;
    await waitFor(() => new Set(backend.seqs).size >= total, SOAK ? 120_000 : 30_000, 'all items at the backend');
    const s = summarize(backend.seqs, total);
    console.log(`outage ${OUTAGE_MS} ms: sent ${total}, unique ${s.unique}, duplicates ${s.duplicates}, sender retries ${sender.refusals}`);
    expect(total).toBeGreaterThanOrEqual(RATE * (OUTAGE_MS / 1000) * 0.8);
    expect(s.missing).toBe(0);
  }, SOAK ? 300_000 : 60_000);

  it('kill -9 during an outage loses nothing that was acknowledged', async () => {
    const backend = new Backend(await freePort());
    backends.push(backend);
    const rx = await freePort();
    const state = tempDir();
    const cfg = agentConfig(rx, backend.url, state);
    const agent = await startAgent({ config: cfg });
    const sender = new Sender(`http://127.0.0.1:${rx}/v1/logs`, RATE, logsBody);
    sender.start();
    await new Promise((r) => setTimeout(r, SOAK ? 20_000 : 3_000));
    await agent.kill9();
    await sender.stop(true);
    const acked = [...sender.acked];
    expect(acked.length).toBeGreaterThan(0);
    await backend.up();
    const again = await startAgent({ config: cfg, dir: agent.dir });
    agents.push(again);
    await waitFor(() => {
      const got = new Set(backend.seqs);
      return acked.every((x) => got.has(x));
    }, SOAK ? 120_000 : 30_000, 'acknowledged items at the backend after restart');
    const got = new Set(backend.seqs);
    console.log(`kill -9: acknowledged ${acked.length} of ${sender.sent} sent, arrived ${got.size} unique, duplicates ${backend.seqs.length - got.size}`);
    expect(acked.filter((x) => !got.has(x))).toEqual([]);
  }, SOAK ? 300_000 : 60_000);
});
