/** A real pino logger (createLogger) writing into memory, for tests that check what was logged. */
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../../src/observability/logger.js';

export interface LogEntry {
  readonly level: number;
  readonly msg: string;
  readonly reason?: string;
  readonly failures?: number;
  readonly backend?: string;
}

export const WARN = 40;
export const ERROR = 50;

export function capturedLogger(): { logger: Logger; entries: () => LogEntry[] } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter((line) => line !== ''));
      done();
    },
  });
  return { logger: createLogger({ level: 'debug', destination }), entries: () => lines.map((line) => JSON.parse(line) as LogEntry) };
}
