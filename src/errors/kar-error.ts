/**
 * @module errors/kar-error
 * The one error class. Thrown only for whole-command or whole-batch failures
 * and invalid configuration; a bad line is a value (`LineError`), not a throw.
 */
import { errorRegistry, type ErrorCode, type ErrorSpec } from './registry.js';

export interface KarErrorOptions {
  /** Structured, non-secret details for logs (file, offset, kid, sink...). */
  readonly details?: Readonly<Record<string, unknown>>;
  readonly cause?: unknown;
}

export class KarError extends Error {
  override readonly name = 'KarError';
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, options: KarErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
  }

  get spec(): ErrorSpec {
    return errorRegistry[this.code];
  }
}

export function isKarError(value: unknown): value is KarError {
  return value instanceof KarError;
}
