/**
 * @module observability/logger
 * pino with redaction. Secrets never reach a log: tokens, Authorization
 * headers and sink URLs with credentials are censored by path, and config
 * secrets are `Secret` objects that print as `[redacted]` anyway.
 */
import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

export const redactPaths = [
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'token',
  '*.token',
  'config.authorization',
  'config.sinks[*].token',
  'config.sinks[*].url',
];

export interface LoggerOptions {
  readonly level?: LevelWithSilent;
  /** Where to write; default stderr so that stdout stays data (NDJSON sinks, CLI output). */
  readonly destination?: NodeJS.WritableStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: 'konnect-audit' },
      redact: { paths: redactPaths, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination ?? pino.destination({ dest: 2, sync: false }),
  );
}

/** A logger that writes nothing (tests, library use). */
export function createSilentLogger(): Logger {
  return pino({ level: 'silent' });
}
