import { pino, type Logger, type LoggerOptions } from 'pino';
import { redactShown, redactUrlSecrets } from '../security/redact.js';

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

/** The agent logger's options (tests write them into their own stream). */
export function loggerOptions(level = 'info'): LoggerOptions {
  return {
    level,
    base: { service: 'telemd' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: SECRET_PATHS, censor: '[REDACTED]' },
    // Credentials written into URLs (user:password@, ?api_key=…) never reach the log either.
    formatters: { level: (label) => ({ level: label }), log: (o) => redactShown(o) },
    hooks: {
      logMethod(args, method) {
        method.apply(this, args.map((a) => (typeof a === 'string' ? redactUrlSecrets(a) : a)) as Parameters<typeof method>);
      },
    },
  };
}

/** pino JSON on stdout (journald collects it); `run` passes a destination that cannot block (log-destination.ts). */
export function createLogger(level = 'info', destination?: { write(line: string): unknown }): Logger {
  return destination ? pino(loggerOptions(level), destination) : pino(loggerOptions(level));
}
