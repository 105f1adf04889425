/**
 * @module normalize/serialize
 * One event → one NDJSON line (without its `\n`). `JSON.stringify` is enough:
 * property order is insertion order (normalizeLine builds it in SPEC 6 order),
 * `trace_id` is a string, and every other number is a safe integer.
 */
import type { NormalizedEvent } from './event.js';

export function serializeEvent(event: NormalizedEvent): string {
  return JSON.stringify(event);
}
