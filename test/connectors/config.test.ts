// Connector configs: the Collector's rules (both sides, signal pairs, no cycles), with positions.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config/resolve.js';
import { formatConfigError } from '../../src/config/sources.js';
import { factories } from '../../src/registry.js';
import { runCli } from '../helpers/agent.js';

function write(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'telemd-conn-'));
  const p = join(dir, 'c.yaml');
  writeFileSync(p, text);
  return p;
}

function errors(text: string): { file: string; msgs: string[]; warnings: string[] } {
  const file = write(text);
  const r = resolveConfig({ files: [file], factories });
  return { file, msgs: r.errors.map(formatConfigError), warnings: r.warnings.map(formatConfigError) };
}

// Shaped like the examples in the Collector's connector READMEs.
const UPSTREAM = `receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:0
exporters:
  debug:
  debug/counts:
  debug/acme:
  debug/other:
connectors:
  forward:
  count:
    spanevents:
      my.prod.event.count:
        description: The number of span events from my prod environment.
        conditions:
          - 'attributes["env"] == "prod"'
          - 'name == "prodevent"'
    logs:
      my.log.count:
        description: The number of logs from each environment.
        attributes:
          - key: env
            default_value: unspecified_environment
  routing:
    default_pipelines: [traces/other]
    error_mode: ignore
    table:
      - statement: route() where attributes["X-Tenant"] == "acme"
        pipelines: [traces/acme]
      - condition: attributes["X-Tenant"] == "globex"
        pipelines: [traces/other]
service:
  pipelines:
    traces/in:
      receivers: [otlp]
      exporters: [forward]
    traces:
      receivers: [forward]
      exporters: [debug, count, routing]
    traces/acme:
      receivers: [routing]
      exporters: [debug/acme]
    traces/other:
      receivers: [routing]
      exporters: [debug/other]
    logs:
      receivers: [otlp]
      exporters: [count]
    metrics/counts:
      receivers: [count]
      exporters: [debug/counts]
`;

describe('connector config', () => {
  it('accepts a Collector config using forward, count and routing', () => {
    const { msgs } = errors(UPSTREAM);
    expect(msgs).toEqual([]);
  });

  it('refuses a connector used as an exporter but never as a receiver, at its position', () => {
    const { file, msgs } = errors(`receivers:
  nop:
exporters:
  debug:
connectors:
  forward:
service:
  pipelines:
    logs:
      receivers: [nop]
      exporters: [debug, forward]
`);
    expect(msgs).toEqual([
      `${file}:11:26: connector "forward" is used as an exporter in pipeline "logs" but as a receiver in no pipeline (a connector joins the end of one pipeline to the start of another)`,
    ]);
  });

  it('refuses signal pairs the connector does not connect', () => {
    const { file, msgs } = errors(`receivers:
  nop:
exporters:
  debug:
connectors:
  count:
service:
  pipelines:
    logs:
      receivers: [nop]
      exporters: [count]
    logs/counts:
      receivers: [count]
      exporters: [debug]
`);
    expect(msgs).toContain(`${file}:13:19: connector "count" does not produce logs (it connects metrics → metrics, logs → metrics, traces → metrics)`);
    expect(msgs).toContain(
      `${file}:11:19: connector "count" is used as an exporter in logs pipeline "logs" but not as a receiver in any pipeline it can feed from logs (it connects metrics → metrics, logs → metrics, traces → metrics)`,
    );
  });

  it('refuses a cycle through connectors, naming it', () => {
    const { file, msgs } = errors(`receivers:
  nop:
exporters:
  debug:
connectors:
  forward/a:
  forward/b:
service:
  pipelines:
    logs/1:
      receivers: [nop, forward/b]
      exporters: [forward/a]
    logs/2:
      receivers: [forward/a]
      exporters: [debug, forward/b]
`);
    expect(msgs).toEqual([`${file}:15:26: pipelines form a cycle through connectors: logs/1 → forward/a → logs/2 → forward/b → logs/1 (data would go round forever)`]);
  });

  it('refuses a connector feeding its own pipeline', () => {
    const { msgs } = errors(`receivers:
  nop:
connectors:
  forward:
service:
  pipelines:
    logs:
      receivers: [nop, forward]
      exporters: [forward]
`);
    expect(msgs.join('\n')).toMatch(/:9:19: pipelines form a cycle through connectors: logs → forward → logs/);
  });

  it('refuses an id that is both a receiver and a connector', () => {
    const { msgs } = errors(`receivers:
  forward:
exporters:
  debug:
connectors:
  forward:
service:
  pipelines:
    logs:
      receivers: [forward]
      exporters: [debug]
`);
    expect(msgs.join('\n')).toMatch(/unknown receiver type "forward"|ambiguous id "forward"/);
  });

  it('routing: every pipeline it names must be one it feeds, at the position of the name', () => {
    const { file, msgs } = errors(`receivers:
  nop:
exporters:
  debug:
connectors:
  routing:
    default_pipelines: [logs/b]
    table:
      - condition: attributes["a"] == "1"
        pipelines: [logs/a, logs/typo]
service:
  pipelines:
    logs:
      receivers: [nop]
      exporters: [routing]
    logs/a:
      receivers: [routing]
      exporters: [debug]
    logs/b:
      receivers: [routing]
      exporters: [debug]
`);
    expect(msgs).toEqual([`${file}:10:29: connector "routing": table.0.pipelines.1: pipeline "logs/typo" does not list this connector under its receivers (it feeds "logs/a", "logs/b")`]);
  });

  it('routing and count: bad OTTL is a config error at the connector', () => {
    const { file, msgs } = errors(`receivers:
  nop:
exporters:
  debug:
connectors:
  count:
    logs:
      bad.count:
        conditions: ['attributes["a"] ==']
  routing:
    table:
      - statement: set(attributes["a"], "b")
        pipelines: [logs/a]
      - context: span
        condition: name == "x"
        pipelines: [logs/a]
service:
  pipelines:
    logs:
      receivers: [nop]
      exporters: [count, routing]
    logs/a:
      receivers: [routing]
      exporters: [debug]
    metrics:
      receivers: [count]
      exporters: [debug]
`);
    expect(msgs.some((m) => m.startsWith(`${file}:6:3: connector "count": logs.bad.count.conditions[0]:`))).toBe(true);
    expect(msgs.some((m) => m.startsWith(`${file}:10:3: connector "routing": table[0].statement: the statement must be route()`))).toBe(true);
    expect(msgs).toContain(`${file}:14:18: connector "routing": table.1.context: context "span" does not exist for logs (use resource or log)`);
  });

  it('warns about a connector nobody uses', () => {
    const { msgs, warnings } = errors(`receivers:
  nop:
exporters:
  debug:
connectors:
  forward:
service:
  pipelines:
    logs:
      receivers: [nop]
      exporters: [debug]
`);
    expect(msgs).toEqual([]);
    expect(warnings.join('\n')).toMatch(/:6:3: connector "forward" is defined but no pipeline uses it/);
  });

  it('telemd validate refuses a connector cycle with exit 78 and positions', async () => {
    const file = write(`receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:0
exporters:
  debug:
connectors:
  forward:
service:
  pipelines:
    traces:
      receivers: [otlp, forward]
      exporters: [debug, forward]
`);
    const r = await runCli(['validate', '--config', file]);
    expect(r.code).toBe(78);
    expect(r.stderr).toContain(`${file}:14:26: pipelines form a cycle through connectors: traces → forward → traces`);
  });
});
