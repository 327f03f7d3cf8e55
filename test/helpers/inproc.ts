// A real Agent in the test process, with probe components next to the real ones: a `probe`
// receiver whose consumers the test drives, a `sink` exporter that records what reached it, and
// a `touch` processor that passes batches on (optionally declaring that it mutates). The graph,
// fan-out, reload and connectors under test are the real ones.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino, type Logger } from 'pino';
import { Writable } from 'node:stream';
import { afterEach } from 'vitest';
import {
  exporterFactory,
  processorFactory,
  receiverFactory,
  type AnyFactory,
  type CreateSettings,
  type Processor,
} from '../../src/component/component.js';
import { ConsumerError, type Consumer, type SignalConsumers } from '../../src/component/consumer.js';
import { s } from '../../src/config/schema.js';
import { SIGNALS, type Signal, type SignalData } from '../../src/pdata/types.js';
import { factories } from '../../src/registry.js';
import { Agent } from '../../src/service/agent.js';
import { tempDir } from './agent.js';

export interface ProbeReceiver {
  consumers: SignalConsumers;
  /** Instances created / started / shut down under this id. */
  created: number;
  started: number;
  stopped: number;
}

export interface Received {
  signal: Signal;
  data: SignalData[Signal];
  /** Which instance of the sink got it (1 = the first created under this id). */
  instance: number;
}

export interface Probes {
  factories: AnyFactory[];
  receivers: Map<string, ProbeReceiver>;
  /** Batches per sink exporter id, in arrival order (the objects themselves). */
  sinks: Map<string, Received[]>;
  /** Sink exporters created / shut down, per id. */
  sinkLife: Map<string, { created: number; stopped: number }>;
  /** Batches seen by each `touch` processor, per `id@pipeline`. */
  touched: Map<string, unknown[]>;
}

export function probes(): Probes {
  const receivers = new Map<string, ProbeReceiver>();
  const sinks = new Map<string, Received[]>();
  const sinkLife = new Map<string, { created: number; stopped: number }>();
  const touched = new Map<string, unknown[]>();
  const probe = receiverFactory({
    type: 'probe',
    description: 'test: the test pushes batches through its consumers',
    config: s.object({ label: s.string().default('') }),
    signals: SIGNALS,
    create: (set, _cfg, next) => {
      const p = receivers.get(set.id.id) ?? { consumers: next, created: 0, started: 0, stopped: 0 };
      p.consumers = next;
      p.created++;
      receivers.set(set.id.id, p);
      return {
        start: async () => void p.started++,
        shutdown: async () => void p.stopped++,
      };
    },
  });
  const sink = exporterFactory({
    type: 'sink',
    description: 'test: records batches',
    config: s.object({
      mutates: s.boolean().default(false),
      /** Refuse every batch with this kind. */
      refuse: s.enum(['none', 'retryable', 'permanent'] as const).default('none'),
      label: s.string().default(''),
      /** Each batch takes this long to be accepted. */
      delay_ms: s.int({ min: 0 }).default(0),
      /** Shutting down takes this long (a drain). */
      stop_delay_ms: s.int({ min: 0 }).default(0),
    }),
    signals: SIGNALS,
    create: (set, cfg, signals) => {
      const list = sinks.get(set.id.id) ?? [];
      sinks.set(set.id.id, list);
      const life = sinkLife.get(set.id.id) ?? { created: 0, stopped: 0 };
      life.created++;
      sinkLife.set(set.id.id, life);
      const consumers: SignalConsumers = {};
      let stopped = false;
      for (const signal of signals)
        consumers[signal] = {
          consume: async (data: SignalData[Signal]) => {
            if (stopped) throw new Error(`${set.id.id} got a batch after it was shut down`);
            if (cfg.delay_ms > 0) await new Promise((r) => setTimeout(r, cfg.delay_ms));
            if (cfg.refuse !== 'none') throw new ConsumerError(cfg.refuse, `${set.id.id} refuses`);
            list.push({ signal, data, instance: life.created });
          },
        };
      return {
        consumers,
        capabilities: { mutatesData: cfg.mutates },
        start: async () => {},
        shutdown: async () => {
          if (cfg.stop_delay_ms > 0) await new Promise((r) => setTimeout(r, cfg.stop_delay_ms));
          stopped = true;
          life.stopped++;
        },
      };
    },
  });
  const touch = processorFactory({
    type: 'touch',
    description: 'test: passes batches on',
    config: s.object({ mutates: s.boolean().default(false), label: s.string().default('') }),
    signals: SIGNALS,
    create: <S extends Signal>(set: CreateSettings, cfg: { mutates: boolean }, _signal: S, next: Consumer<SignalData[S]>): Processor<SignalData[S]> => {
      const key = `${set.id.id}@${set.logger.bindings().pipeline as string}`;
      const seen: SignalData[S][] = [];
      touched.set(key, seen);
      return {
        capabilities: { mutatesData: cfg.mutates },
        consume: (d) => {
          seen.push(d);
          return next.consume(d);
        },
        start: async () => {},
        shutdown: async () => {},
      };
    },
  });
  return { factories: [probe, sink, touch], receivers, sinks, sinkLife, touched };
}

export interface InprocAgent {
  agent: Agent;
  probes: Probes;
  configPath: string;
  logs: Record<string, unknown>[];
  /** Rewrites the config file (for reloads). */
  write(yaml: string): void;
}

function capture(lines: Record<string, unknown>[]): Logger {
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n')) if (l) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  return pino({ level: 'info' }, sink);
}

/** startInproc(yaml) agents are stopped after each test. Self-metrics are off unless the yaml sets them. */
export function inprocAgents(): (yaml: string) => Promise<InprocAgent> {
  const running: Agent[] = [];
  afterEach(async () => {
    for (const a of running.splice(0)) await a.stop();
  });
  return async (yaml) => {
    const dir = tempDir();
    const configPath = join(dir, 'telemd.yaml');
    const withTelemetry = /telemetry:/.test(yaml) ? yaml : `${yaml}\n  telemetry:\n    metrics:\n      level: none\n`;
    writeFileSync(configPath, withTelemetry);
    const p = probes();
    const logs: Record<string, unknown>[] = [];
    const agent = new Agent({ files: [configPath], factories: [...factories, ...p.factories], logger: capture(logs) });
    await agent.start();
    running.push(agent);
    return {
      agent,
      probes: p,
      configPath,
      logs,
      write: (y) => writeFileSync(configPath, /telemetry:/.test(y) ? y : `${y}\n  telemetry:\n    metrics:\n      level: none\n`),
    };
  };
}

export function logsData(body: string, attrs: Record<string, string> = {}): SignalData['logs'] {
  return {
    resourceLogs: [
      {
        resource: { attributes: { ...attrs } },
        scopeLogs: [{ scope: { name: 'test' }, logRecords: [{ timeUnixNano: 1n, observedTimeUnixNano: 1n, severityNumber: 9, body, attributes: {} }] }],
      },
    ],
  };
}
