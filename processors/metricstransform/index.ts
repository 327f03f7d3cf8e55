import { processorFactory } from '../../src/component/component.js';
import { SimpleProcessor } from '../../src/processorhelper/processor.js';
import { compileGoRegex } from '../../src/util/goregex.js';
import { configSchema, type Config } from './config.js';
import { operationErrors } from './operations.js';
import { MetricsTransformer } from './processor.js';

function validate(cfg: Config): string[] {
  const e: string[] = [];
  cfg.transforms.forEach((t, i) => {
    const at = `transforms[${i}]`;
    const include = t.include ?? t.metric_name;
    if (!include) e.push(`${at}: "include" is required`);
    else if (t.match_type === 'regexp') {
      const re = compileGoRegex(include);
      if (typeof re === 'string') e.push(`${at}.include: ${re}`);
    }
    if (t.include && t.metric_name) e.push(`${at}: set "include" or the deprecated "metric_name", not both`);
    for (const [k, v] of Object.entries(t.experimental_match_labels)) {
      const re = compileGoRegex(v);
      if (typeof re === 'string') e.push(`${at}.experimental_match_labels.${k}: ${re}`);
    }
    if ((t.action === 'insert' || t.action === 'combine') && !t.new_name) e.push(`${at}: action ${t.action} needs new_name`);
    if (t.action === 'combine' && t.match_type !== 'regexp') e.push(`${at}: action combine needs match_type: regexp`);
    if (t.action === 'combine' && !t.aggregation_type) e.push(`${at}: action combine needs aggregation_type`);
    if (t.action === 'group' && Object.keys(t.group_resource_labels).length === 0) e.push(`${at}: action group needs group_resource_labels`);
    if (t.submatch_case && t.action !== 'combine') e.push(`${at}: submatch_case applies to action combine only`);
    t.operations.forEach((op, j) => e.push(...operationErrors(op, `${at}.operations[${j}]`)));
  });
  return e;
}

export const factory = processorFactory<Config>({
  type: 'metricstransform',
  description: 'Rename metrics and labels, add/delete labels and values, aggregate, combine, insert copies, toggle int/double',
  config: configSchema,
  signals: ['metrics'],
  validate,
  create: (set, cfg, signal, next) => {
    const t = new MetricsTransformer(cfg, set.logger);
    return new SimpleProcessor(set, signal, next, (d) => t.process(d as never) as never);
  },
});
