import { pino, type Logger } from 'pino';

/** Keys whose values never reach the log, wherever they appear in a logged object. */
const SECRET_PATHS = [
  'headers',
  '*.headers',
  '*.*.headers',
  'authorization',
  '*.authorization',
  'password',
  '*.password',
  '*.*.password',
  'token',
  '*.token',
  'bearer_token',
  '*.bearer_token',
  'api_key',
  '*.api_key',
  'key',
  '*.key',
];

/** pino JSON on stdout (journald collects it). */
export function createLogger(level = 'info'): Logger {
  return pino({
    level,
    base: { service: 'telemd' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: SECRET_PATHS, censor: '[REDACTED]' },
    formatters: { level: (label) => ({ level: label }) },
  });
}
