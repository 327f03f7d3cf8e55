import { receiverFactory } from '../../src/component/component.js';
import { configSchema, type Config } from './config.js';
import { StatsdReceiver } from './receiver.js';
import { splitHostPort } from './transport.js';

export const factory = receiverFactory<Config>({
  type: 'statsd',
  description: 'StatsD / DogStatsD metrics over UDP, TCP or a Unix datagram socket, aggregated into OTLP',
  config: configSchema,
  signals: ['metrics'],
  validate: (cfg) => {
    const errs: string[] = [];
    if (cfg.transport === 'unixgram') {
      if (!cfg.endpoint.startsWith('/')) errs.push(`endpoint: with transport unixgram, give an absolute socket path (got ${JSON.stringify(cfg.endpoint)})`);
    } else {
      try {
        splitHostPort(cfg.endpoint);
      } catch (e) {
        errs.push((e as Error).message.replace(/^statsd: /, ''));
      }
    }
    if (!/^0?[0-7]{3}$/.test(cfg.socket_mode)) errs.push(`socket_mode: expected octal permissions like 0660, got ${JSON.stringify(cfg.socket_mode)}`);
    return errs;
  },
  create: (set, cfg, next) => new StatsdReceiver(set, cfg, next.metrics!),
});
