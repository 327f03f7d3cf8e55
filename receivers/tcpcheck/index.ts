import { receiverFactory } from '../../src/component/component.js';
import { configSchema, type Config } from './config.js';
import { TcpCheckReceiver } from './receiver.js';

export const factory = receiverFactory<Config>({
  type: 'tcpcheck',
  description: 'Probes TCP endpoints: connect time, errors, optional TLS and send/expect (the Collector contrib receiver\'s metrics)',
  config: configSchema,
  signals: ['metrics'],
  validate: (cfg) => {
    const errs: string[] = [];
    if (cfg.targets.length === 0) errs.push('no targets configured');
    cfg.targets.forEach((t, i) => {
      const interval = t.collection_interval ?? cfg.collection_interval;
      if (t.timeout !== undefined && t.timeout > interval) errs.push(`targets[${i}]: timeout (${t.timeout} ms) is longer than the interval (${interval} ms): ticks would be skipped`);
    });
    return errs;
  },
  create: (set, cfg, next) => new TcpCheckReceiver(set, cfg, next.metrics!),
});
