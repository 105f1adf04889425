/**
 * @module normalize/category
 * Which of Konnect's three event families a line belongs to (SPEC 6
 * `category`). Kong: "Use the `name` field to reliably identify which of the
 * three event types a log entry belongs to" — `AUTHENTICATION_OUTCOME_*`,
 * `Authz.*`, `Ingress` — and "Don't rely on `event_class_id`" (for
 * authorization it is the name of whichever service made the check). So the
 * header name decides first; the family fields of SPEC 2 only decide for a
 * name Konnect has not documented, so that a renamed event still lands in its
 * family instead of `unknown`.
 *
 * The rules, first match wins:
 *
 * | # | when | category |
 * | - | ---- | -------- |
 * | 1 | name or event_class_id starts with `AUTHENTICATION_` | authentication |
 * | 2 | name starts with `Authz.` | authorization |
 * | 3 | name is `Ingress` | access |
 * | 4 | a `granted` field | authorization |
 * | 5 | an `act` or `status` field (the HTTP method / response code) | access |
 * | 6 | a `success` field | authentication |
 * | 7 | otherwise | unknown |
 *
 * `request` alone decides nothing: authentication lines carry it too.
 */
import type { Category } from './event.js';

export interface CategoryInput {
  readonly name: string;
  readonly event_class_id: string;
}

const AUTHENTICATION_PREFIX = 'AUTHENTICATION_';
const AUTHZ_PREFIX = 'Authz.';
const ACCESS_NAME = 'Ingress';

export function categoryOf(header: CategoryInput, fields: Readonly<Record<string, string>>): Category {
  if (header.name.startsWith(AUTHENTICATION_PREFIX) || header.event_class_id.startsWith(AUTHENTICATION_PREFIX)) return 'authentication';
  if (header.name.startsWith(AUTHZ_PREFIX)) return 'authorization';
  if (header.name === ACCESS_NAME) return 'access';
  if (Object.hasOwn(fields, 'granted')) return 'authorization';
  if (Object.hasOwn(fields, 'act') || Object.hasOwn(fields, 'status')) return 'access';
  if (Object.hasOwn(fields, 'success')) return 'authentication';
  return 'unknown';
}
