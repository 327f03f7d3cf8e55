import { join } from 'node:path';
import { s, type Infer } from '../../src/config/schema.js';
import { checkHttpLimits, httpLimitsKeys } from '../../src/net/http-server.js';
import { parseEndpoint } from '../../src/util/endpoint.js';
import { defaultStateDirectory } from './state-dir.js';

export const DEFAULT_ENDPOINT = '127.0.0.1:13380';

export const configSchema = s.object({
  endpoint: s.string().default(DEFAULT_ENDPOINT).describe('listen address (loopback by default; an empty host means every interface)'),
  token_file: s
    .string()
    .default(() => join(defaultStateDirectory(), 'console.token'))
    .describe('bearer token every request needs (created with mode 0600 at first start when absent; default console.token in the state directory)'),
  history: s.string().optional().describe('id of the history exporter the Prometheus API queries (default: the only one running)'),
  query: s.object({
    timeout: s.duration({ min: 1 }).default('2m').describe('longest a query may run (the request\'s timeout= may only shorten it)'),
    max_samples: s.int({ min: 1 }).default(5_000_000).describe('samples one query may hold in memory'),
    lookback_delta: s.duration({ min: 1 }).default('5m').describe('how far back an instant selector looks (Prometheus: 5m)'),
  }),
  session: s.object({
    login_ttl: s.duration({ min: 1 }).default('5m').describe('how long a login link from telemd console stays valid (it works once)'),
    max_age: s.duration({ min: 1 }).default('12h').describe('how long a browser session lasts after login'),
  }),
  tap: s.object({
    max_taps: s.int({ min: 1 }).default(8).describe('taps open at once (more are answered 503)'),
    buffer: s.int({ min: 1 }).default(16).describe('batches held per tap for a slow reader; newer ones are dropped and counted'),
    max_batches_per_second: s.int({ min: 1 }).default(10).describe('batches copied per second per tap; the rest are skipped and counted'),
  }),
  ...httpLimitsKeys,
});
export type Config = Infer<typeof configSchema>;

export function validate(cfg: Config): string[] {
  const errs: string[] = [];
  if (!parseEndpoint(cfg.endpoint, '0.0.0.0')) errs.push(`endpoint: invalid address ${JSON.stringify(cfg.endpoint)} (expected host:port)`);
  if (cfg.token_file.trim() === '') errs.push('token_file: must not be empty');
  if (cfg.history !== undefined && !/^history(\/.+)?$/.test(cfg.history)) errs.push(`history: expected the id of a history exporter (history or history/NAME), got ${JSON.stringify(cfg.history)}`);
  const l = checkHttpLimits(cfg);
  if (l) errs.push(l);
  return errs;
}
