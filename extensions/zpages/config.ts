import { s, type Infer } from '../../src/config/schema.js';

export const configSchema = s.object({
  endpoint: s.string().default('127.0.0.1:55679').describe('listen address (the Collector\'s default port, on loopback)'),
  token: s.secret(s.string()).optional().describe('when set, every request needs "Authorization: Bearer <token>" (required for non-loopback clients)'),
  expvar: s.object({ enabled: s.boolean().default(false) }).optional().describe('the Collector\'s Go expvar page: refused when enabled (no Go runtime)'),
});
export type Config = Infer<typeof configSchema>;

export function validate(cfg: Config): string[] {
  return cfg.expvar?.enabled ? ['expvar.enabled: telemd is not a Go program and has no expvar page; the self-metrics endpoint has the process figures'] : [];
}
