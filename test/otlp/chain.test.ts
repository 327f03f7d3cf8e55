// Two real telemd processes: agent -> gateway over gRPC (logs) and HTTP (traces).
import { afterEach, describe, expect, it } from 'vitest';
import { startAgent, tempDir, type Agent } from '../helpers/agent.js';
import { freePort } from '../helpers/ports.js';
import { otlpReceiverYaml } from '../helpers/otlp-receiver.js';
import { logsBody, postProto, seqsInFiles, spansBody, summarize, waitFor } from './traffic.js';

const agents: Agent[] = [];
afterEach(async () => {
  for (const a of agents.splice(0)) await a.stop();
});

export function gatewayConfig(g: number, h: number, out: string): string {
  return `${otlpReceiverYaml({ grpc: g, http: h })}exporters:
  file: { path: ${out}/gw.jsonl, flush_interval: 50ms }
service:
  pipelines:
    logs: { receivers: [otlp], exporters: [file] }
    traces: { receivers: [otlp], exporters: [file] }
`;
}

describe('agent -> gateway', () => {
  it('chains two telemd processes over gRPC and HTTP without loss', async () => {
    const out = tempDir();
    const [g, h, a] = [await freePort(), await freePort(), await freePort()];
    agents.push(await startAgent({ config: gatewayConfig(g, h, out) }));
    agents.push(
      await startAgent({
        config: `${otlpReceiverYaml({ http: a })}processors:
  batch: { send_batch_size: 1000, timeout: 50ms }
exporters:
  otlp: { endpoint: 127.0.0.1:${g}, tls: { insecure: true } }
  otlphttp: { endpoint: http://127.0.0.1:${h} }
service:
  pipelines:
    logs: { receivers: [otlp], processors: [batch], exporters: [otlp] }
    traces: { receivers: [otlp], processors: [batch], exporters: [otlphttp] }
`,
      }),
    );
    const N = 50;
    const per = 100;
    // Each answer waits for delivery to the gateway's file (the acknowledgement), so send in parallel.
    const statuses = await Promise.all(
      Array.from({ length: N }, (_, i) => [
        postProto(`http://127.0.0.1:${a}/v1/logs`, logsBody(i * per, per)),
        postProto(`http://127.0.0.1:${a}/v1/traces`, spansBody(i * per, per)),
      ]).flat(),
    );
    expect(statuses.every((x) => x === 200)).toBe(true);
    await waitFor(() => {
      const s = seqsInFiles(out, 'gw');
      return new Set(s.logs).size >= N * per && new Set(s.traces).size >= N * per;
    }, 20_000, 'all items at the gateway');
    const s = seqsInFiles(out, 'gw');
    expect(summarize(s.logs, N * per)).toEqual({ unique: N * per, duplicates: 0, missing: 0 });
    expect(summarize(s.traces, N * per)).toEqual({ unique: N * per, duplicates: 0, missing: 0 });
  });
});
