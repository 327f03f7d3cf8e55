import { receiverFactory } from '../../src/component/component.js';
import { configSchema, type Config } from './config.js';
import { HttpCheckReceiver } from './receiver.js';

export const factory = receiverFactory<Config>({
  type: 'httpcheck',
  description: 'Probes HTTP(S) endpoints: status, phase timings, certificate expiry, body checks (the Collector contrib receiver\'s metrics)',
  config: configSchema,
  signals: ['metrics'],
  validate: (cfg) => {
    const errs: string[] = [];
    if (cfg.targets.length === 0) errs.push('no targets configured');
    cfg.targets.forEach((t, i) => {
      if (!t.endpoint && t.endpoints.length === 0) errs.push(`targets[${i}]: "endpoint" must be specified (or "endpoints")`);
      const interval = t.collection_interval ?? cfg.collection_interval;
      if (t.timeout !== undefined && t.timeout > interval)
        errs.push(`targets[${i}]: timeout (${t.timeout} ms) is longer than the interval (${interval} ms): a probe never overlaps the previous one, so ticks would be skipped`);
      if ((t.tls.cert_file === undefined) !== (t.tls.key_file === undefined)) errs.push(`targets[${i}]: tls.cert_file and tls.key_file go together`);
    });
    return errs;
  },
  create: (set, cfg, next) => new HttpCheckReceiver(set, cfg, next.metrics!),
});
