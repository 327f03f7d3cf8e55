import type { Logger } from 'pino';
import type { Schema } from '../config/schema.js';
import type { Consumer, SignalConsumers } from './consumer.js';
import type { Signal, SignalData } from '../pdata/types.js';
import type { SelfTelemetry } from '../telemetry/self.js';
import type { StorageClient } from '../storage/storage.js';

export type Kind = 'receiver' | 'processor' | 'exporter' | 'extension';

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

/** Everything a running component may use from the agent. */
export interface Host {
  /** A started extension by id (e.g. `file_storage/queue`); undefined if absent. */
  getExtension(id: string): Extension | undefined;
  /** Storage from a `file_storage` extension, namespaced for one component. */
  getStorage(extensionId: string, owner: ComponentId, signal?: Signal): Promise<StorageClient>;
  /** Report a fatal failure of a running component; the health check turns unhealthy. */
  reportFatal(id: string, err: unknown): void;
  /** The agent itself, for extensions that expose it (health_check). */
  agent: AgentControl;
}

export interface AgentControl {
  /** healthy, or the reasons why not. */
  health(): { healthy: boolean; reasons: string[] };
  /** Re-read the config; resolves with the errors that kept the running pipeline (none = applied). */
  reload(): Promise<{ applied: boolean; errors: string[] }>;
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

/** A processor of one pipeline: consumes a batch and hands the result to the next stage. */
export interface Processor<T> extends Consumer<T>, Lifecycle {}

/**
 * An exporter instance is shared by every pipeline that names it, so it takes each signal it
 * supports through its own consumer.
 */
export interface Exporter extends Lifecycle {
  consumers: SignalConsumers;
}

export interface Extension extends Lifecycle {}

interface FactoryBase<C> {
  type: string;
  /** One line for `telemd components`. */
  description: string;
  /** Typed config schema with defaults; unknown keys are errors. */
  config: Schema<C>;
  /** Cross-field checks the schema cannot express; return messages (path-less). */
  validate?(cfg: C): string[];
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
  /** One instance per pipeline. */
  create<S extends Signal>(
    set: CreateSettings,
    cfg: C,
    signal: S,
    next: Consumer<SignalData[S]>,
  ): Processor<SignalData[S]>;
}

export interface ExporterFactory<C = unknown> extends FactoryBase<C> {
  kind: 'exporter';
  signals: readonly Signal[];
  create(set: CreateSettings, cfg: C, signals: readonly Signal[]): Exporter;
}

export interface ExtensionFactory<C = unknown> extends FactoryBase<C> {
  kind: 'extension';
  create(set: CreateSettings, cfg: C): Extension;
}

export type Factory<C = unknown> =
  | ReceiverFactory<C>
  | ProcessorFactory<C>
  | ExporterFactory<C>
  | ExtensionFactory<C>;

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
export function extensionFactory<C>(f: Omit<ExtensionFactory<C>, 'kind'>): ExtensionFactory<C> {
  return { kind: 'extension', ...f };
}
