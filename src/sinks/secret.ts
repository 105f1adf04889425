/**
 * @module sinks/secret
 * A value that must never reach a log, an error message or a config dump
 * (HEC tokens, Sumo Logic source URLs, Authorization headers). Every way a
 * value is usually turned into text — `String()`, template literals,
 * `JSON.stringify` (what pino does), `util.inspect` (what `console.log`
 * does) — prints `[redacted]`; only `reveal()` gives the value, at the one
 * place that puts it on the wire.
 */
import { inspect } from 'node:util';
import { z } from 'zod';

export const REDACTED = '[redacted]';

export class Secret {
  // A private field: not enumerable, not copied by spread or structuredClone, not seen by JSON.stringify.
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  toJSON(): string {
    return REDACTED;
  }

  toString(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}

export function isSecret(value: unknown): value is Secret {
  return value instanceof Secret;
}

/** Config schema for a secret: a non-empty string (from a file or the environment) or an existing `Secret`. */
export const secretSchema = z.union([
  z.instanceof(Secret),
  z
    .string()
    .min(1, 'must not be empty')
    .transform((value) => new Secret(value)),
]);

/**
 * Replaces every occurrence of the secrets' values in a text (an error
 * message or a response excerpt that might echo a URL or a token).
 */
export function redactText(text: string, secrets: readonly (Secret | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    const value = secret?.reveal();
    if (value !== undefined && value.length > 0) out = out.split(value).join(REDACTED);
  }
  return out;
}
