import type { Logger } from 'pino';
import type { Schema } from '../config/schema.js';
import type { Consumer, SignalConsumers } from './consumer.js';
import type { Signal, SignalData } from '../pdata/types.js';
import type { SelfTelemetry } from '../telemetry/self.js';
import type { StorageClient } from './storage.js';
import type { ServiceView } from './service-view.js';

export type Kind = 'receiver' | 'processor' | 'exporter' | 'connector' | 'extension';

/** `type` or `type/name`, as in the Collector. */
export interface ComponentId {
  type: string;
  name: string;
  /** The id as written: `type` or `type/name`. */
  id: string;
}

export function parseComponentId(id: string): ComponentId | undefined {
  const m = /^([a-zA-Z][a-zA-Z0-9_]*)(?:\/(.+))?$/.exec(id.trim());
  if (!m) return undefined;
  return { type: m[1]!, name: m[2] ?? '', id: id.trim() };
}

/**
 * What a running component may use from the agent: extensions and storage by id, and a way to
 * report that it broke. Nothing here can change the agent (no reload, no other component).
 */
export interface Host {
  /** A started extension by id (e.g. `file_storage/queue`); undefined if absent. */
  getExtension(id: string): Extension | undefined;
  /**
   * Storage from a storage extension (file_storage), namespaced for one component (`owner`,
   * default the caller) and signal.
   */
  getStorage(extensionId: string, owner?: ComponentId, signal?: Signal): Promise<StorageClient>;
  /** Report a fatal failure of a running component; the health check turns unhealthy. */
  reportFatal(id: string, err: unknown): void;
}

/** Extensions also see the service, read-only (plus a reload request): health_check, console. */
export interface ExtensionHost extends Host {
  service: ServiceView;
}

/**
 * What a consumer does to the batches it is given, as the Collector's consumer.Capabilities.
 * `mutatesData: true` = it changes the batch in place (or hands it on to something that does),
 * so fan-out gives it its own copy when other consumers share the batch.
 */
export interface Capabilities {
  mutatesData: boolean;
}

export interface CreateSettings {
  id: ComponentId;
  kind: Kind;
  logger: Logger;
  telemetry: SelfTelemetry;
}

export interface Lifecycle {
  start(host: Host): Promise<void>;
  /**
   * Stop producing / flush / drain. Must not lose data that was acknowledged. `budgetMs` is
   * what is left of service.shutdown_timeout for this component (exporters drain within it).
   * Called also on components that were created but never started (a failed start or reload),
   * so it must work in that state, as in the Collector.
   */
  shutdown(budgetMs?: number): Promise<void>;
}

export type Receiver = Lifecycle;

/**
 * A processor of one pipeline: consumes a batch and hands the result to the next stage.
 * Without `capabilities` it is taken to mutate its input (the safe assumption).
 */
export interface Processor<T> extends Consumer<T>, Lifecycle {
  readonly capabilities?: Capabilities;
}

/**
 * An exporter instance is shared by every pipeline that names it, so it takes each signal it
 * supports through its own consumer. Without `capabilities` it is taken not to mutate (the
 * exporters of a pipeline share one batch unless one declares that it mutates).
 */
export interface Exporter extends Lifecycle {
  consumers: SignalConsumers;
  readonly capabilities?: Capabilities;
}

/**
 * The exporter side of a connector for one signal pair: consumes batches of the pipelines that
 * list it as an exporter. Its acknowledgement is the downstream one: resolve only when what it
 * handed on was accepted by the pipelines it feeds. Without `capabilities` it is taken to mutate.
 */
export interface Connector<T> extends Consumer<T>, Lifecycle {
  readonly capabilities?: Capabilities;
}

/**
 * The receiver side of a connector: the pipelines that list it as a receiver, all at once
 * (`consume`) or chosen by id (the routing connector).
 */
export interface PipelineRouter<T> extends Consumer<T> {
  /** Ids of the pipelines this connector feeds, as written (`logs/errors`). */
  readonly pipelineIds: readonly string[];
  /** A consumer feeding just these pipelines (fan-out with the usual copies); throws on an id not fed. */
  consumer(ids: readonly string[]): Consumer<T>;
}

export interface Extension {
  start(host: ExtensionHost): Promise<void>;
  shutdown(budgetMs?: number): Promise<void>;
}

interface FactoryBase<C> {
  type: string;
  /** One line for `telemd components`. */
  description: string;
  /** Typed config schema with defaults; unknown keys are errors. */
  config: Schema<C>;
  /**
   * Cross-field checks the schema cannot express: messages placed at the component id, or
   * issues with a path inside its config (placed at that key's file:line:col).
   */
  validate?(cfg: C): (string | ConnectionIssue)[];
}

export interface ReceiverFactory<C = unknown> extends FactoryBase<C> {
  kind: 'receiver';
  signals: readonly Signal[];
  /** One instance per receiver id, fed the consumers of every pipeline that names it. */
  create(set: CreateSettings, cfg: C, next: SignalConsumers): Receiver;
}

export interface ProcessorFactory<C = unknown> extends FactoryBase<C> {
  kind: 'processor';
  signals: readonly Signal[];
  /**
   * Signals this processor hands records of to other pipelines (anomaly: onset records into
   * logs). The graph joins it, through a connector node, to the pipelines of that signal that
   * list the same processor id (or name it as a receiver); the records enter there. In such a
   * pipeline the graph places the hand-over point itself: `create` is only called for the
   * processor's own signals, with `emit` holding a consumer per signal that has a receiving end.
   */
  emits?: readonly Signal[];
  /** One instance per pipeline. */
  create<S extends Signal>(
    set: CreateSettings,
    cfg: C,
    signal: S,
    next: Consumer<SignalData[S]>,
    emit?: SignalConsumers,
  ): Processor<SignalData[S]>;
}

export interface ExporterFactory<C = unknown> extends FactoryBase<C> {
  kind: 'exporter';
  signals: readonly Signal[];
  create(set: CreateSettings, cfg: C, signals: readonly Signal[]): Exporter;
}

type Data<S extends Signal> = SignalData[S];

/**
 * A connector is an exporter in pipelines of one signal and a receiver in pipelines of another
 * (or the same). As in the Collector, there is one create function per supported signal pair
 * (exporter side → receiver side), and one instance per pair in use; the methods present are the
 * pairs it supports.
 */
export interface ConnectorCreators<C> {
  metricsToMetrics?(set: CreateSettings, cfg: C, next: PipelineRouter<Data<'metrics'>>): Connector<Data<'metrics'>>;
  metricsToLogs?(set: CreateSettings, cfg: C, next: PipelineRouter<Data<'logs'>>): Connector<Data<'metrics'>>;
  metricsToTraces?(set: CreateSettings, cfg: C, next: PipelineRouter<Data<'traces'>>): Connector<Data<'metrics'>>;
  logsToMetrics?(set: CreateSettings, cfg: C, next: PipelineRouter<Data<'metrics'>>): Connector<Data<'logs'>>;
  logsToLogs?(set: CreateSettings, cfg: C, next: PipelineRouter<Data<'logs'>>): Connector<Data<'logs'>>;
  logsToTraces?(set: CreateSettings, cfg: C, next: PipelineRouter<Data<'traces'>>): Connector<Data<'logs'>>;
  tracesToMetrics?(set: CreateSettings, cfg: C, next: PipelineRouter<Data<'metrics'>>): Connector<Data<'traces'>>;
  tracesToLogs?(set: CreateSettings, cfg: C, next: PipelineRouter<Data<'logs'>>): Connector<Data<'traces'>>;
  tracesToTraces?(set: CreateSettings, cfg: C, next: PipelineRouter<Data<'traces'>>): Connector<Data<'traces'>>;
}

/** A problem with a connector's config that only the pipelines reveal (routing tables). */
export interface ConnectionIssue {
  /** Path inside the connector's config, for the file:line:col of the error. */
  path: (string | number)[];
  message: string;
}

export interface ConnectorFactory<C = unknown> extends FactoryBase<C>, ConnectorCreators<C> {
  kind: 'connector';
  /**
   * Checks against the pipelines the connector feeds (receiver side), e.g. that every pipeline a
   * routing table names is one of them. Run by `validate` and before any start.
   */
  validateConnections?(cfg: C, pipelines: readonly string[]): ConnectionIssue[];
}

export interface ExtensionFactory<C = unknown> extends FactoryBase<C> {
  kind: 'extension';
  create(set: CreateSettings, cfg: C): Extension;
}

/**
 * Any component factory. The resolver parses a component's config with that factory's own
 * schema, so the `unknown` config the graph hands to `create` is always the factory's `C`;
 * a `XFactory<Config>` is an `AnyFactory` without a cast.
 */
export type AnyFactory =
  | ReceiverFactory<unknown>
  | ProcessorFactory<unknown>
  | ExporterFactory<unknown>
  | ConnectorFactory<unknown>
  | ExtensionFactory<unknown>;

/** The factory type of one kind. */
export type FactoryOf<K extends Kind> = Extract<AnyFactory, { kind: K }>;

export type SignalPair = readonly [from: Signal, to: Signal];

const PAIR_METHODS = {
  metrics: { metrics: 'metricsToMetrics', logs: 'metricsToLogs', traces: 'metricsToTraces' },
  logs: { metrics: 'logsToMetrics', logs: 'logsToLogs', traces: 'logsToTraces' },
  traces: { metrics: 'tracesToMetrics', logs: 'tracesToLogs', traces: 'tracesToTraces' },
} as const satisfies Record<Signal, Record<Signal, keyof ConnectorCreators<unknown>>>;

type AnyData = SignalData[Signal];
type PairCreate = (set: CreateSettings, cfg: unknown, next: PipelineRouter<AnyData>) => Connector<AnyData>;

/** The create function of one signal pair, or undefined when the connector does not support it. */
export function connectorCreate(f: ConnectorFactory<unknown>, from: Signal, to: Signal): PairCreate | undefined {
  const m: PairCreate | undefined = f[PAIR_METHODS[from][to]];
  return m?.bind(f);
}

/** The signal pairs a connector supports (exporter side → receiver side). */
export function connectorPairs(f: ConnectorFactory<unknown>): SignalPair[] {
  const out: SignalPair[] = [];
  for (const from of Object.keys(PAIR_METHODS) as Signal[])
    for (const to of Object.keys(PAIR_METHODS[from]) as Signal[]) if (connectorCreate(f, from, to)) out.push([from, to]);
  return out;
}

/** Identity helpers that keep the config type `C` inferred from the schema. */
export function receiverFactory<C>(f: Omit<ReceiverFactory<C>, 'kind'>): ReceiverFactory<C> {
  return { kind: 'receiver', ...f };
}
export function processorFactory<C>(f: Omit<ProcessorFactory<C>, 'kind'>): ProcessorFactory<C> {
  return { kind: 'processor', ...f };
}
export function exporterFactory<C>(f: Omit<ExporterFactory<C>, 'kind'>): ExporterFactory<C> {
  return { kind: 'exporter', ...f };
}
export function connectorFactory<C>(f: Omit<ConnectorFactory<C>, 'kind'>): ConnectorFactory<C> {
  return { kind: 'connector', ...f };
}
export function extensionFactory<C>(f: Omit<ExtensionFactory<C>, 'kind'>): ExtensionFactory<C> {
  return { kind: 'extension', ...f };
}
