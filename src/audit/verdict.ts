/**
 * @module audit/verdict
 * One line's outcome in an audit. `unparseable` is ours (SPEC 3 has four
 * statuses for lines that parse): a line that is neither CEF nor a JSON
 * object, or an export record without its raw line. It is counted apart so
 * that "not a Konnect line at all" is never mistaken for "a Konnect line
 * whose signature is broken" (`malformed`).
 */

export const auditStatuses = ['valid', 'invalid', 'missing', 'malformed', 'unparseable'] as const;
export type AuditStatus = (typeof auditStatuses)[number];

export function isAuditStatus(value: string): value is AuditStatus {
  return (auditStatuses as readonly string[]).includes(value);
}

export interface LineVerdict {
  readonly file: string;
  /** 1-based line in its file (CSV: where the record starts). */
  readonly line: number;
  readonly status: AuditStatus;
  /** The key that verified the line (`valid` only). */
  readonly kid?: string;
  /** Why the line is not valid, ending with its KAR_ERR_* code in parentheses. */
  readonly reason?: string;
}
