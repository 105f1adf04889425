/**
 * @module normalize/field-map
 * THE one Konnect field-mapping table, shared by CEF and JSON lines: which
 * source field feeds which top-level key of the `konnect-audit/v1` event, and
 * its type. The row order is the serialization order of those keys (SPEC 6:
 * ids, trace_id, src, user_agent, then the family fields, then the booleans,
 * then `status`), compatible with the SPEC 6 example.
 *
 * Konnect uses the same names in CEF extensions and JSON members (Kong's
 * "JSON and CPS field mapping": "The same field values apply across CEF,
 * JSON, and CPS"), so one source name per row suffices.
 *
 * Types are strict, because a SIEM rule on `granted == false` must not be
 * fooled by `granted=False` or `granted=0`:
 * - `string`: the exact field text, empty string included (`user_agent=`).
 *   A JSON `null` is no value: no top-level key (`fields` keep `null`).
 * - `boolean`: only the exact texts `true` / `false` (JSON `true` and the
 *   string `"true"` both read as `true`; Kong's docs show both). Anything else
 *   is left out of the top level; it stays in `fields`.
 * - `integer`: only a canonical decimal integer within 2^53 (`200`, not
 *   `0200`, `2e2` or `200.0`). `trace_id` is NOT an integer here: it is 64-bit
 *   and kept as its exact digits (a JS number would corrupt it).
 *
 * normalizeLine applies the rows written out, for speed; a test holds it to
 * this table row by row.
 */

export type FieldType = 'string' | 'boolean' | 'integer';

export interface FieldMapping {
  /** The top-level key of the normalized event. */
  readonly key: TypedKey;
  /** The CEF extension key / JSON member name it is read from. */
  readonly source: string;
  readonly type: FieldType;
}

export const typedKeys = [
  'org_id',
  'portal_id',
  'principal_id',
  'actor_id',
  'trace_id',
  'src',
  'user_agent',
  'request',
  'query',
  'action',
  'act',
  'success',
  'granted',
  'kong_initiated',
  'status',
] as const;
export type TypedKey = (typeof typedKeys)[number];

export const fieldMap: readonly FieldMapping[] = [
  { key: 'org_id', source: 'org_id', type: 'string' },
  // Dev Portal audit logs only.
  { key: 'portal_id', source: 'portal_id', type: 'string' },
  { key: 'principal_id', source: 'principal_id', type: 'string' },
  // Authorization logs (often empty: `actor_id=`).
  { key: 'actor_id', source: 'actor_id', type: 'string' },
  { key: 'trace_id', source: 'trace_id', type: 'string' },
  { key: 'src', source: 'src', type: 'string' },
  { key: 'user_agent', source: 'user_agent', type: 'string' },
  // Access logs (and authentication logs for `request`).
  { key: 'request', source: 'request', type: 'string' },
  { key: 'query', source: 'query', type: 'string' },
  // Authorization logs: `retrieve`, `list`, `edit`...
  { key: 'action', source: 'action', type: 'string' },
  // Access logs: the HTTP method.
  { key: 'act', source: 'act', type: 'string' },
  { key: 'success', source: 'success', type: 'boolean' },
  { key: 'granted', source: 'granted', type: 'boolean' },
  // "omitted (not `false`) for user-initiated events" (Kong audit log reference).
  { key: 'kong_initiated', source: 'kong_initiated', type: 'boolean' },
  // Access logs: the HTTP response code.
  { key: 'status', source: 'status', type: 'integer' },
];

/** `true` / `false` for the exact texts, `undefined` otherwise. */
export function toBoolean(text: string): boolean | undefined {
  if (text === 'true') return true;
  if (text === 'false') return false;
  return undefined;
}

const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

/** A canonical non-negative decimal integer (no sign, no leading zero, <= 15 digits), else `undefined`. */
export function toInteger(text: string): number | undefined {
  const length = text.length;
  if (length === 0 || length > 15) return undefined;
  if (length > 1 && text.charCodeAt(0) === DIGIT_0) return undefined;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c < DIGIT_0 || c > DIGIT_9) return undefined;
  }
  return Number(text);
}

/** The typed value of one row, or `undefined` when the source lacks it or its text does not fit the type. */
export function typedValue(mapping: FieldMapping, text: string | undefined): string | boolean | number | undefined {
  if (text === undefined) return undefined;
  switch (mapping.type) {
    case 'string':
      return text;
    case 'boolean':
      return toBoolean(text);
    case 'integer':
      return toInteger(text);
  }
}
