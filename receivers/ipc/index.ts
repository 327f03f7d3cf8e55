import { receiverFactory } from '../../src/component/component.js';
import { didYouMean } from '../../src/config/suggest.js';
import { configSchema, type Config } from './config.js';
import { DEFS } from './metrics.js';
import { IpcReceiver } from './receiver.js';

export const factory = receiverFactory<Config>({
  type: 'ipc',
  description: 'Inter-process communication health: System V IPC, Unix sockets, TCP/UDP queue pressure, kernel counters',
  config: configSchema,
  signals: ['metrics'],
  validate: (cfg) =>
    Object.keys(cfg.metrics)
      .filter((k) => !(k in DEFS))
      .map((k) => `metrics: unknown metric "${k}"` + didYouMean(k, Object.keys(DEFS))),
  create: (set, cfg, next) => new IpcReceiver(set, cfg, next.metrics!),
});
