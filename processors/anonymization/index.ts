import { processorFactory } from '../../src/component/component.js';
import { configSchema, validateConfig, type Config } from './config.js';
import { AnonymizationProcessor } from './processor.js';

export const factory = processorFactory<Config>({
  type: 'anonymization',
  description: 'Redacts personal data (e-mail, IPs, cards, IBANs, phones, tokens, keys) in attributes and log bodies',
  config: configSchema,
  signals: ['metrics', 'logs', 'traces'],
  validate: validateConfig,
  create: (set, cfg, signal, next) => new AnonymizationProcessor(set, cfg, signal, next),
});
