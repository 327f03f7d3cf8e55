import { receiverFactory } from '../../src/component/component.js';
import { configSchema, validate, type Config } from './config.js';
import { OtlpReceiver } from './receiver.js';

export const factory = receiverFactory<Config>({
  type: 'otlp',
  description: 'OTLP over gRPC (4317) and HTTP (4318): protobuf and JSON, gzip, TLS, bearer auth',
  config: configSchema,
  validate,
  signals: ['metrics', 'logs', 'traces'],
  create: (set, cfg, next) => new OtlpReceiver(set, cfg, next),
});
