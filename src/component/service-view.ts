// What extensions (health_check, console) may see of the running service: read-only, plus a
// reload request. Components other than extensions never get it (their Host has no service).
import type { Kind } from './component.js';
import type { Signal, SignalData } from '../pdata/types.js';

export type ComponentState = 'created' | 'starting' | 'running' | 'stopping' | 'stopped' | 'failed';

/** One node of the running graph: a component instance. */
export interface ComponentInfo {
  /**
   * Unique key of the node: `receiver:otlp`, `exporter:file`, `extension:health_check`,
   * `processor:batch@metrics/a` (processors are per pipeline), `connector:count` (one node for
   * every signal pair of a connector id).
   */
  key: string;
  kind: Kind;
  /** The id as written (`type` or `type/name`). */
  id: string;
  type: string;
  /** The pipeline of a processor instance. */
  pipeline?: string;
  /** Signals it handles (for a connector: both sides). */
  signals: Signal[];
  /** For a connector: the signal pairs in use, exporter side → receiver side. */
  pairs?: [Signal, Signal][];
  state: ComponentState;
  /** Why it failed to start, or what it reported as fatal. */
  error?: string;
  /** A connector the graph made for a processor's hand-over (anomaly onsets into logs): no config of its own. */
  handover?: boolean;
  /** Processors, exporters and connectors: whether it gets its own copy of shared batches. */
  mutatesData?: boolean;
}

export interface PipelineInfo {
  /** `metrics` or `metrics/name`. */
  id: string;
  signal: Signal;
  receivers: string[];
  processors: string[];
  exporters: string[];
}

/** Data flows from one node to another in a pipeline (keys of ComponentInfo). */
export interface GraphEdge {
  from: string;
  to: string;
  pipeline: string;
  signal: Signal;
}

export interface GraphView {
  nodes: ComponentInfo[];
  edges: GraphEdge[];
}

/** The agent's own metrics, read-only. */
export interface MetricsView {
  /** Current series of one family. */
  values(name: string): { labels: Record<string, string>; value: number }[];
  /** Every family with its series. */
  families(): { name: string; help: string; type: 'counter' | 'gauge'; series: { labels: Record<string, string>; value: number }[] }[];
  /** The Prometheus text exposition (what the self-metrics endpoint serves). */
  renderPrometheus(): string;
}

export type TapDirection = 'in' | 'out';

/**
 * Where a tap watches: the batches entering (`in`) or leaving (`out`) a component. Receivers
 * have only `out`, exporters only `in`; a processor id is watched in every pipeline unless
 * `pipeline` is given; a connector's `in` is its exporter side and `out` its receiver side.
 */
export interface TapTarget {
  kind: Kind;
  id: string;
  direction: TapDirection;
  pipeline?: string;
  signal?: Signal;
}

export interface TapOptions {
  /** Batches held for the reader; when full, newer batches are dropped and counted. Default 16. */
  capacity?: number;
  /** At most this many batches copied per second (the rest are skipped and counted). Default 10. */
  maxBatchesPerSecond?: number;
}

export interface TapEvent {
  /** Milliseconds since the epoch when the batch passed. */
  time: number;
  kind: Kind;
  id: string;
  pipeline?: string;
  direction: TapDirection;
  signal: Signal;
  items: number;
  /** A copy: the pipeline goes on with its own. */
  data: SignalData[Signal];
}

export interface Tap {
  readonly target: TapTarget;
  /** Removes and returns up to `max` buffered events, oldest first. */
  take(max?: number): TapEvent[];
  /** Resolves when an event is buffered, the tap is closed, or `signal` aborts. */
  wait(signal?: AbortSignal): Promise<void>;
  /** Batches not copied because the buffer was full. */
  readonly dropped: number;
  /** Batches not copied because of the rate limit. */
  readonly skipped: number;
  readonly closed: boolean;
  close(): void;
}

export interface TapView {
  /** Starts watching; throws when the target names no running component or a direction it lacks. */
  attach(target: TapTarget, opts?: TapOptions): Tap;
  /** The taps attached now. */
  list(): { target: TapTarget; buffered: number; dropped: number; skipped: number }[];
}

export interface ReloadResult {
  applied: boolean;
  /** Why the new config was refused (config errors carry file:line:col); never internal class names. */
  errors: string[];
  /** What the reload did: node keys kept running, rebuilt (changed), added and removed. */
  changes?: { kept: number; rebuilt: string[]; added: string[]; removed: string[] };
}

export interface ServiceView {
  /** healthy, or the reasons why not. */
  health(): { healthy: boolean; reasons: string[] };
  /** The running components (nodes) and how data flows between them. */
  graph(): GraphView;
  pipelines(): PipelineInfo[];
  /** The effective config, defaults applied, secrets and URL credentials redacted. */
  config(): Record<string, unknown>;
  readonly metrics: MetricsView;
  /** Live sampled copies of the batches passing a component (telemd tap, the console). */
  readonly taps: TapView;
  /**
   * Re-read the config and apply what changed (coalesced and rate-limited with SIGHUP). The
   * caller must have authenticated the user who asked for it.
   */
  requestReload(): Promise<ReloadResult>;
}
