import { receiverFactory } from '../../src/component/component.js';
import { configSchema, type Config } from './config.js';
import { SystemdReceiver } from './receiver.js';

export const factory = receiverFactory<Config>({
  type: 'systemd',
  description: 'State of systemd units over D-Bus: active, sub and load state, restarts, time in state, CPU (the Collector contrib receiver\'s metrics)',
  config: configSchema,
  signals: ['metrics'],
  validate: (cfg) => (cfg.units.length === 0 ? ['no units configured (units: ["nginx.service", "*.timer"])'] : []),
  create: (set, cfg, next) => new SystemdReceiver(set, cfg, next.metrics!),
});
