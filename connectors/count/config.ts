import { s, type Infer } from '../../src/config/schema.js';
import { compileCondition, type ContextKind } from '../../src/processorhelper/expr-eval.js';

const attribute = s.object({
  key: s.string().describe('attribute to count by (looked up on the item, then its scope, then its resource)'),
  default_value: s.unknown().optional().describe('value used when the attribute is missing (else the item is not counted)'),
});

const metricInfo = s.object({
  description: s.string().default('').describe('description of the count metric'),
  conditions: s.array(s.string()).default([]).describe('OTTL conditions, ORed; none = count everything'),
  attributes: s.array(attribute).default([]).describe('one data point per distinct set of values'),
});

// A section left out gets the Collector's default metric; a section given (even empty) replaces it.
const section = () => s.presence(s.record(metricInfo));

export const configSchema = s.object({
  spans: section().describe('counts of spans, by metric name'),
  spanevents: section().describe('counts of span events, by metric name'),
  metrics: section().describe('counts of metrics, by metric name'),
  datapoints: section().describe('counts of data points, by metric name'),
  logs: section().describe('counts of log records, by metric name'),
});

export type Config = Infer<typeof configSchema>;
export type MetricInfo = Infer<typeof metricInfo>;
export type Section = 'spans' | 'spanevents' | 'metrics' | 'datapoints' | 'logs';

/** The OTTL context each section's conditions are written in. */
export const CONTEXT: Record<Section, ContextKind> = {
  spans: 'span',
  spanevents: 'spanevent',
  metrics: 'metric',
  datapoints: 'datapoint',
  logs: 'log',
};

/** The Collector's defaults, used for a section that is not configured. */
export const DEFAULTS: Record<Section, [string, string]> = {
  spans: ['trace.span.count', 'The number of spans observed.'],
  spanevents: ['trace.span.event.count', 'The number of span events observed.'],
  metrics: ['metric.count', 'The number of metrics observed.'],
  datapoints: ['metric.datapoint.count', 'The number of data points observed.'],
  logs: ['log.record.count', 'The number of log records observed.'],
};

export function definitions(cfg: Config, sec: Section): Record<string, MetricInfo> {
  return cfg[sec] ?? { [DEFAULTS[sec][0]]: { description: DEFAULTS[sec][1], conditions: [], attributes: [] } };
}

export function validate(cfg: Config): string[] {
  const out: string[] = [];
  for (const sec of Object.keys(CONTEXT) as Section[]) {
    for (const [name, info] of Object.entries(cfg[sec] ?? {})) {
      if (name.trim() === '') out.push(`${sec}: metric name missing`);
      info.conditions.forEach((c, i) => {
        try {
          compileCondition(CONTEXT[sec], c);
        } catch (err) {
          out.push(`${sec}.${name}.conditions[${i}]: ${(err as Error).message}`);
        }
      });
      if (sec === 'metrics' && info.attributes.length > 0) out.push(`${sec}.${name}.attributes: metrics cannot be counted by attributes (as in the Collector); use datapoints`);
      info.attributes.forEach((a, i) => {
        if (a.key === '') out.push(`${sec}.${name}.attributes[${i}]: attribute key missing`);
        const d = a.default_value;
        if (d !== undefined && d !== null && !['string', 'number', 'boolean'].includes(typeof d))
          out.push(`${sec}.${name}.attributes[${i}].default_value: must be a string, number or boolean`);
      });
    }
  }
  return out;
}
