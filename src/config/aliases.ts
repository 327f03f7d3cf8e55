// Component type names across the Collector's renames, in one place. A config written for
// either side of a rename loads: `otlp_grpc` finds telemd's `otlp` exporter and the other way
// round, silently (both names are current for someone). Names the Collector removed load with
// a warning naming the replacement. Types telemd does not have get a hint at the nearest one.
import type { Kind } from '../component/component.js';

interface Alias {
  /** The type telemd registers. */
  type: string;
  /** Set when the name is gone upstream: the warning says what to write instead. */
  deprecated?: string;
}

/** Sources: the Collector's lower_snake_case renames (collector#14396, contrib#45339) and removals. */
const ALIASES: Record<Kind, Record<string, Alias>> = {
  receiver: {
    file_log: { type: 'filelog' }, // contrib#46750
    http_check: { type: 'httpcheck' }, // contrib's type is http_check now, httpcheck the deprecated name
    tcp_check: { type: 'tcpcheck' }, // likewise
  },
  processor: {
    resource_detection: { type: 'resourcedetection' }, // contrib#48525
    cumulative_to_delta: { type: 'cumulativetodelta' },
    metrics_transform: { type: 'metricstransform' },
  },
  exporter: {
    otlp_grpc: { type: 'otlp' }, // collector#14403
    otlp_http: { type: 'otlphttp' }, // collector#14397
    prometheus_remote_write: { type: 'prometheusremotewrite' }, // contrib#48705
    logging: { type: 'debug', deprecated: 'the logging exporter was removed from the Collector (v0.111); write "debug" (same keys; loglevel becomes verbosity)' },
  },
  connector: {},
  extension: {},
};

/** Types telemd lacks whose job one of its components does: the hint of the "unknown type" error. */
const NEAREST: Record<Kind, Record<string, string>> = {
  receiver: {
    jaeger: 'otlp (Jaeger clients and agents can send OTLP)',
    zipkin: 'otlp (Zipkin-instrumented apps can send OTLP with an OpenTelemetry SDK)',
    opencensus: 'otlp (OpenCensus is superseded by OpenTelemetry)',
    file: 'filelog (for text logs) or otlp',
    otlpjsonfile: 'filelog with a json_parser operator',
    syslog: 'filelog with a syslog_parser operator, or journald',
    kubeletstats: 'hostmetrics (cgroup scraper)',
    docker_stats: 'hostmetrics (cgroup scraper)',
  },
  processor: {
    k8sattributes: 'resource',
    groupbyattrs: 'resource',
    tail_sampling: 'probabilistic_sampler',
    redaction: 'anonymization',
  },
  exporter: {
    loki: 'otlphttp (Loki 3 takes OTLP at /otlp)',
    jaeger: 'otlp (Jaeger takes OTLP on 4317)',
    zipkin: 'otlp',
    opencensus: 'otlp',
    prometheus_exporter: 'prometheus',
    opensearch: 'otlphttp or file',
    elasticsearch: 'otlphttp (Elastic takes OTLP) or file',
    kafka: 'otlp or file',
  },
  connector: {},
  extension: {
    memory_ballast: 'none needed (Node.js sizes its heap itself; remove it)',
    oauth2client: 'bearertokenauth',
    oidc: 'bearertokenauth or basicauth',
  },
};

/** The registered type for `type` as written, and the warning when the name is deprecated. */
export function canonicalType(kind: Kind, type: string, known: (t: string) => boolean): { type: string; warning?: string } {
  if (known(type)) return { type };
  const a = ALIASES[kind][type];
  if (a && known(a.type)) return { type: a.type, warning: a.deprecated };
  // The other direction: telemd may register the new name while a config uses the old one.
  for (const [alias, to] of Object.entries(ALIASES[kind])) if (to.type === type && known(alias)) return { type: alias };
  return { type };
}

/** `; telemd's nearest is "x"` for a type it lacks, or ''. */
export function nearestHint(kind: Kind, type: string): string {
  const n = NEAREST[kind][type];
  return n ? `; telemd has no ${kind} of this type, the nearest is ${n}` : '';
}

/** Every alias, for `telemd components` and the docs. */
export function aliasesOf(kind: Kind, type: string): string[] {
  return Object.entries(ALIASES[kind]).filter(([, a]) => a.type === type).map(([n]) => n);
}
