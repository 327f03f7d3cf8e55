// One warning per listener that is reachable from beyond this host (`endpoint: ":4318"` binds
// every interface, as in the Collector): it names the config key to change.
import { isIP } from 'node:net';
import type { Logger } from 'pino';

/** Warned once per process and key, so reloads do not repeat it. */
const warned = new Set<string>();

export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  // IPv4-mapped loopback (::ffff:127.0.0.1).
  return /^::ffff:127\./.test(h);
}

export function warnIfExposed(logger: Logger, configKey: string, listener: string, host: string, port: number): void {
  if (isLoopback(host)) return;
  const key = `${configKey}=${host}:${port}`;
  if (warned.has(key)) return;
  warned.add(key);
  const all = host === '0.0.0.0' || host === '::' || host === '';
  const where = all ? 'every network interface' : `${host}, which is not loopback`;
  logger.warn(
    { listener, config_key: configKey, address: `${host.includes(':') ? `[${host}]` : host}:${port}` },
    `${listener} listens on ${where} (${configKey}): anyone who can reach this host on port ${port} can connect; set it to 127.0.0.1:${port} unless other hosts must reach it, and then protect it (TLS, auth, a firewall)`,
  );
}
