// From config files to a validated AgentConfig: every error collected with file:line:col.
import { parseComponentId, type AnyFactory, type ComponentId, type FactoryOf, type Kind } from '../component/component.js';
import { SIGNALS, type Signal } from '../pdata/types.js';
import { expandEnv } from './expand.js';
import { ParseContext } from './schema.js';
import { serviceSchema, type ServiceConfig } from './service.js';
import { ConfigSources, type ConfigError } from './sources.js';
import { didYouMean } from './suggest.js';
import { validateConnections } from './connections.js';
import { redactShown } from '../security/redact.js';
import { canonicalType, nearestHint } from './aliases.js';

export interface ComponentConfig<F extends AnyFactory = AnyFactory> {
  id: ComponentId;
  kind: Kind;
  factory: F;
  /** Parsed by `factory.config`, so it is the factory's own config type. */
  config: unknown;
}

/** The components of each kind, by id as written. */
export type Components = { [K in Kind]: Map<string, ComponentConfig<FactoryOf<K>>> };

export interface PipelineConfig {
  /** `metrics` or `metrics/name`. */
  id: string;
  signal: Signal;
  receivers: string[];
  processors: string[];
  exporters: string[];
}

export interface AgentConfig {
  components: Components;
  pipelines: PipelineConfig[];
  service: ServiceConfig;
  /** Self-metrics address (host:port), '' when disabled. */
  metricsAddress: string;
}

export interface ResolveOptions {
  files: string[];
  /** Extra inline YAML documents (tests, the embedded default), as [name, text]. */
  texts?: [string, string][];
  sets?: string[];
  env?: NodeJS.ProcessEnv;
  factories: readonly AnyFactory[];
}

export interface ResolveResult {
  config?: AgentConfig;
  errors: ConfigError[];
  /** Accepted but worth telling, with positions (validate prints them, run logs them). */
  warnings: ConfigError[];
  sources: ConfigSources;
}

const SECTIONS: Record<string, Kind> = {
  receivers: 'receiver',
  processors: 'processor',
  exporters: 'exporter',
  connectors: 'connector',
  extensions: 'extension',
};
const TOP_KEYS = [...Object.keys(SECTIONS), 'service'];

export function resolveConfig(opts: ResolveOptions): ResolveResult {
  const src = new ConfigSources();
  for (const f of opts.files) src.addUri(f, opts.env ?? process.env);
  for (const [name, text] of opts.texts ?? []) src.addText(name, text);
  for (const set of opts.sets ?? []) src.addSet(set);
  if (src.errors.length > 0) return { errors: src.errors, warnings: src.warnings, sources: src };

  const envIssues: { path: (string | number)[]; message: string }[] = [];
  const raw = expandEnv(src.value, opts.env ?? process.env, envIssues) as Record<string, unknown>;
  for (const i of envIssues) src.error(i.path, i.message);

  for (const key of Object.keys(raw)) {
    if (!TOP_KEYS.includes(key)) {
      src.error([key], `unknown top-level key "${key}"` + didYouMean(key, TOP_KEYS), true);
    }
  }

  const components: Components = {
    receiver: parseSection(src, raw, 'receivers', 'receiver', opts.factories),
    processor: parseSection(src, raw, 'processors', 'processor', opts.factories),
    exporter: parseSection(src, raw, 'exporters', 'exporter', opts.factories),
    connector: parseSection(src, raw, 'connectors', 'connector', opts.factories),
    extension: parseSection(src, raw, 'extensions', 'extension', opts.factories),
  };

  const ctx = new ParseContext();
  const service = serviceSchema.parse(raw.service ?? undefined, ctx, []);
  for (const w of ctx.warnings) src.warn(['service', ...w.path], `service: ${w.message}`, w.atKey);
  for (const issue of ctx.issues) {
    src.error(['service', ...issue.path], `service: ${issue.path.join('.')}: ${issue.message}`, issue.atKey);
  }

  const pipelines: PipelineConfig[] = [];
  if (raw.service === undefined) src.error([], 'the config has no "service" section (service.pipelines is required)');
  else if (Object.keys(service.pipelines).length === 0)
    src.error(['service'], 'service.pipelines is empty: nothing would run');

  for (const [pid, p] of Object.entries(service.pipelines)) {
    const signal = pid.split('/')[0] as Signal;
    const base = ['service', 'pipelines', pid];
    if (!SIGNALS.includes(signal)) {
      src.error(base, `pipeline "${pid}": unknown signal "${signal}" (metrics, logs or traces)` + didYouMean(signal, SIGNALS), true);
      continue;
    }
    // A connector is named where a receiver or an exporter would be; an id may not be both.
    const check = (list: string[], key: 'receivers' | 'processors' | 'exporters', kind: 'receiver' | 'processor' | 'exporter') => {
      if (list.length === 0 && key !== 'processors') src.error(base, `pipeline "${pid}" has no ${key}`, true);
      const seen = new Set<string>();
      list.forEach((ref, i) => {
        const where = [...base, key, i];
        if (seen.has(ref)) src.error(where, `pipeline "${pid}" names ${kind} "${ref}" twice`);
        seen.add(ref);
        const c = components[kind].get(ref);
        const conn = kind === 'processor' ? undefined : components.connector.get(ref);
        if (c && conn) {
          src.error(where, `ambiguous id "${ref}": both a ${kind} and a connector are defined with it; rename one of them`);
          return;
        }
        if (conn) return; // checked with the other connector rules below
        // A processor that hands records over (anomaly → logs) may be named as a receiver of a
        // pipeline of a signal it emits: its records enter there.
        const handover = kind === 'receiver' && !c ? components.processor.get(ref) : undefined;
        if (handover?.factory.emits?.includes(signal)) return;
        if (!c) {
          const known = kind === 'processor' ? [...components.processor.keys()] : [...components[kind].keys(), ...components.connector.keys()];
          src.error(where, `pipeline "${pid}" references ${kind} "${ref}", which is not defined under "${key}"` + didYouMean(ref, known));
          return;
        }
        const sigs = c.factory.signals;
        if (!sigs.includes(signal)) src.error(where, `${kind} "${ref}" does not support ${signal} (it supports ${sigs.join(', ')})`);
      });
    };
    check(p.receivers, 'receivers', 'receiver');
    check(p.processors, 'processors', 'processor');
    check(p.exporters, 'exporters', 'exporter');
    pipelines.push({ id: pid, signal, receivers: p.receivers, processors: p.processors, exporters: p.exporters });
  }

  validateConnections(src, components, pipelines);

  service.extensions.forEach((ref, i) => {
    if (!components.extension.has(ref)) {
      src.error(['service', 'extensions', i], `extension "${ref}" is not defined under "extensions"` + didYouMean(ref, components.extension.keys()));
    }
  });

  const metricsAddress = selfMetricsAddress(service, src);
  if (src.errors.length > 0) return { errors: src.errors, warnings: src.warnings, sources: src };
  return { config: { components, pipelines, service, metricsAddress }, errors: [], warnings: src.warnings, sources: src };
}

function ofKind<K extends Kind>(factories: readonly AnyFactory[], kind: K): FactoryOf<K>[] {
  return factories.filter((f): f is FactoryOf<K> => f.kind === kind);
}

/** One section (`receivers:` …): each id parsed with its factory's schema, errors positioned. */
function parseSection<K extends Kind>(
  src: ConfigSources,
  raw: Record<string, unknown>,
  section: string,
  kind: K,
  factories: readonly AnyFactory[],
): Map<string, ComponentConfig<FactoryOf<K>>> {
  const out = new Map<string, ComponentConfig<FactoryOf<K>>>();
  const block = raw[section];
  if (block === undefined || block === null) return out;
  if (typeof block !== 'object' || Array.isArray(block)) {
    src.error([section], `"${section}" must be a map of component ids to their config`);
    return out;
  }
  const candidates = ofKind(factories, kind);
  for (const [idText, cfgRaw] of Object.entries(block as Record<string, unknown>)) {
    const id = parseComponentId(idText);
    if (!id) {
      src.error([section, idText], `invalid ${kind} id "${idText}" (expected type or type/name)`, true);
      continue;
    }
    const canon = canonicalType(kind, id.type, (t) => candidates.some((f) => f.type === t));
    if (canon.warning) src.warn([section, idText], `${kind} "${idText}": ${canon.warning}`);
    // The registered type: storage and self-metrics stay the same across a rename.
    id.type = canon.type;
    const factory = candidates.find((f) => f.type === id.type);
    if (!factory) {
      const hint = nearestHint(kind, id.type) || didYouMean(id.type, candidates.map((f) => f.type), '; run `telemd components` for the list');
      src.error([section, idText], `unknown ${kind} type "${id.type}"${hint}`, true);
      continue;
    }
    const ctx = new ParseContext();
    const parsed = factory.config.parse(cfgRaw ?? undefined, ctx, []);
    for (const w of ctx.warnings) src.warn([section, idText, ...w.path], `${kind} "${idText}": ${w.message}`, w.atKey);
    for (const issue of ctx.issues) {
      if (issue.at) {
        src.errors.push({ ...issue.at, message: `${kind} "${idText}": ${issue.message}` });
        continue;
      }
      const where = [section, idText, ...issue.path];
      const field = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
      src.error(where, `${kind} "${idText}": ${field}${issue.message}`, issue.atKey);
    }
    if (ctx.issues.length === 0 && factory.validate) {
      for (const msg of factory.validate(parsed)) {
        if (typeof msg === 'string') src.error([section, idText], `${kind} "${idText}": ${msg}`, true);
        else src.error([section, idText, ...msg.path], `${kind} "${idText}": ${msg.path.join('.')}: ${msg.message}`);
      }
    }
    out.set(idText, { id, kind: factory.kind, factory, config: parsed });
  }
  return out;
}

function selfMetricsAddress(service: ServiceConfig, src: ConfigSources): string {
  const m = service.telemetry.metrics;
  if (m.level === 'none') return '';
  if (m.address !== undefined) return m.address;
  // Collector >= 0.111: readers: [{ pull: { exporter: { prometheus: { host, port } } } }]
  if (Array.isArray(m.readers)) {
    for (const r of m.readers as unknown[]) {
      const prom = (r as { pull?: { exporter?: { prometheus?: { host?: string; port?: number } } } })?.pull?.exporter?.prometheus;
      if (prom) return `${prom.host ?? '127.0.0.1'}:${prom.port ?? 8888}`;
    }
    src.error(['service', 'telemetry', 'metrics', 'readers'], 'only a pull/prometheus reader is supported');
  }
  return '127.0.0.1:8888';
}

/** print-config, the service view: the merged, defaulted config with secrets and URL credentials redacted. */
export function presentConfig(cfg: AgentConfig): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [section, kind] of Object.entries(SECTIONS)) {
    const m = cfg.components[kind];
    if (m.size === 0) continue;
    out[section] = Object.fromEntries([...m].map(([id, c]) => [id, c.factory.config.redact(c.config)]));
  }
  out.service = serviceSchema.redact(cfg.service);
  // Secret fields are the schemas' business; credentials inside URLs anywhere are this one's.
  return redactShown(out);
}
