import { receiverFactory } from '../../src/component/component.js';
import { validateScrapers } from './build.js';
import { configSchema, type Config } from './config.js';
import { HostMetricsReceiver } from './receiver.js';

export const factory = receiverFactory<Config>({
  type: 'hostmetrics',
  description: 'Host statistics (cpu, memory, load, filesystem, network, disk, …) read from /proc and /sys',
  config: configSchema,
  signals: ['metrics'],
  validate: (cfg) => validateScrapers(cfg.scrapers),
  create: (set, cfg, next) => new HostMetricsReceiver(set, cfg, next.metrics!),
});
