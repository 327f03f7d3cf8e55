import { receiverFactory } from '../../src/component/component.js';
import { configSchema, type Config } from './config.js';
import { PrometheusReceiver } from './receiver.js';
import { relabelErrors } from './relabel.js';

export const factory = receiverFactory<Config>({
  type: 'prometheus',
  description: 'Scrapes Prometheus /metrics endpoints (text 0.0.4 and OpenMetrics)',
  config: configSchema,
  signals: ['metrics'],
  validate: (cfg) => {
    const errs: string[] = [];
    const jobs = new Set<string>();
    cfg.config.scrape_configs.forEach((sc, i) => {
      if (jobs.has(sc.job_name)) errs.push(`config.scrape_configs[${i}]: duplicate job_name "${sc.job_name}"`);
      jobs.add(sc.job_name);
      if (sc.scrape_timeout !== undefined && sc.scrape_interval !== undefined && Number(sc.scrape_timeout) > Number(sc.scrape_interval))
        errs.push(`config.scrape_configs[${i}]: scrape_timeout is longer than scrape_interval`);
      for (const st of sc.static_configs)
        for (const t of st.targets)
          if (!/^[^/\s]+:\d+$/.test(t) && !/^[^/\s:]+$/.test(t)) errs.push(`config.scrape_configs[${i}]: target "${t}" must be host:port`);
      errs.push(...relabelErrors(sc.metric_relabel_configs).map((e) => `config.scrape_configs[${i}].${e}`));
    });
    return errs;
  },
  create: (set, cfg, next) => new PrometheusReceiver(set, cfg, next.metrics!),
});
