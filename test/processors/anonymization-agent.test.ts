// End to end with the real agent: the official OpenTelemetry JS SDK sends logs over OTLP/HTTP
// through memory_limiter -> resourcedetection -> anonymization -> batch -> file.
import { createHmac } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/agent.js';
import { agentsKilledAfterEach } from '../helpers/agents.js';
import { until } from '../helpers/wait.js';
import { freePort } from '../helpers/ports.js';

const startAgent = agentsKilledAfterEach();

describe('anonymization in a running agent', () => {
  it('redacts OTLP logs from the official SDK before they reach the file exporter', async () => {
    const dir = tempDir();
    const port = await freePort();
    const out = join(dir, 'out.jsonl');
    const key = 'integration-secret-key';
    const agent = await startAgent({
      env: { TELEMD_TEST_HASH_KEY: key },
      config: `
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:${port}
processors:
  memory_limiter:
    limit_mib: 512
  resourcedetection:
    detectors: [system]
  anonymization:
    hash_key_env: TELEMD_TEST_HASH_KEY
    detectors:
      email: { action: hash }
      ipv4: { action: truncate_ip }
    block_keys: [password]
    count_attribute: true
  batch:
    timeout: 200ms
exporters:
  file:
    path: ${out}
service:
  pipelines:
    logs:
      receivers: [otlp]
      processors: [memory_limiter, resourcedetection, anonymization, batch]
      exporters: [file]
`,
    });

    const provider = new LoggerProvider({
      resource: resourceFromAttributes({ 'service.name': 'shop', 'deployment.owner': 'ops@example.com' }),
      processors: [new SimpleLogRecordProcessor({ exporter: new OTLPLogExporter({ url: `http://127.0.0.1:${port}/v1/logs` }) })],
    });
    const logger = provider.getLogger('checkout');
    logger.emit({ body: 'payment by jane@example.com from 203.0.113.77 card 4111 1111 1111 1111', attributes: { password: 'hunter2', 'user.phone': '+14155552671' } });
    logger.emit({ body: 'health check ok', attributes: { 'http.route': '/health' } });
    await provider.forceFlush();
    await provider.shutdown();

    const text = await until(() => (existsSync(out) && readFileSync(out, 'utf8').includes('health check ok') ? readFileSync(out, 'utf8') : undefined), 20_000, 'output file');
    const pseudonym = createHmac('sha256', key).update('jane@example.com').digest('hex').slice(0, 16);
    expect(text).toContain(`payment by ${pseudonym} from 203.0.113.0 card ***`);
    for (const secret of ['jane@example.com', '203.0.113.77', '4111', 'hunter2', '+14155552671', 'ops@example.com']) expect(text).not.toContain(secret);
    expect(text).toContain('"redaction.count"');
    expect(text).toContain('"host.name"'); // resourcedetection ran before, and its values survived

    const metrics = await (await fetch(`http://127.0.0.1:${agent.selfMetricsPort}/metrics`)).text();
    // The body once, and the resource's owner in each of the SDK's two export requests.
    expect(metrics).toMatch(/telemd_processor_redactions_total\{[^}]*detector="email"[^}]*\} 3/);
    expect(metrics).toMatch(/telemd_processor_redactions_total\{[^}]*detector="key"[^}]*\} 1/);
    expect(await agent.stop()).toBe(0);
  });
});
