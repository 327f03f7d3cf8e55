import { exporterFactory } from '../../src/component/component.js';
import { configSchema, type Config } from './config.js';
import { RemoteWriteExporter } from './exporter.js';

export const factory = exporterFactory<Config>({
  type: 'prometheusremotewrite',
  description: 'Sends metrics to a Prometheus-compatible backend with Remote-Write 1.0 (protobuf + snappy)',
  config: configSchema,
  signals: ['metrics'],
  validate: (cfg) => {
    const errs: string[] = [];
    let u: URL | undefined;
    try {
      u = new URL(cfg.endpoint);
    } catch {
      errs.push(`endpoint "${cfg.endpoint}" is not a URL (e.g. http://127.0.0.1:9090/api/v1/write)`);
    }
    if (u && u.protocol !== 'http:' && u.protocol !== 'https:') errs.push(`endpoint must be http:// or https://, got ${u.protocol}`);
    if (cfg.basic_auth && cfg.bearer_token) errs.push('set basic_auth or bearer_token, not both');
    return errs;
  },
  create: (set, cfg) => new RemoteWriteExporter(set, cfg),
});
