/**
 * @module normalize/event
 * The normalized event, schema `konnect-audit/v1` (SPEC 6): what every sink
 * receives. Property order here is the serialization order.
 */
import type { CefHeader, LineFormat } from '../lines/types.js';

export const SCHEMA_V1 = 'konnect-audit/v1' as const;

export const signatureStatuses = ['valid', 'invalid', 'missing', 'malformed', 'unverified'] as const;
export type SignatureStatus = (typeof signatureStatuses)[number];

export const categories = ['authentication', 'authorization', 'access', 'unknown'] as const;
export type Category = (typeof categories)[number];

export interface SignatureResult {
  readonly status: SignatureStatus;
  /** The key id that verified the line (status `valid` only). */
  readonly kid?: string;
}

export interface NormalizedEvent {
  schema: typeof SCHEMA_V1;
  /** The `sig` (Ed25519 is deterministic), or base64url sha256 of `raw` when unsigned. */
  id: string;
  time?: string;
  received_at: string;
  format: LineFormat;
  category: Category;
  header: CefHeader;
  org_id?: string;
  portal_id?: string;
  principal_id?: string;
  actor_id?: string;
  trace_id?: string;
  src?: string;
  user_agent?: string;
  request?: string;
  query?: string;
  action?: string;
  act?: string;
  success?: boolean;
  granted?: boolean;
  kong_initiated?: boolean;
  status?: number;
  /**
   * CEF text between the header and the first `key=`, verbatim (SPEC 4: kept,
   * never dropped silently; counted in `konnect_audit_normalize_warnings_total`).
   * Konnect never sends it: its presence means the line was altered or
   * produced by something else.
   */
  extension_preamble?: string;
  /** Every extension / JSON member except `sig`, as exact strings. */
  fields: Record<string, string>;
  signature: SignatureResult;
  /** The exact original line, so anyone downstream can re-verify it. */
  raw: string;
}
