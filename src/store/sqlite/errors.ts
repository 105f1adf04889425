/**
 * @module store/errors
 * SQLite failures as the receiver needs them: a full disk is "full" (429,
 * Konnect retries later), anything else is "unavailable" (500, Konnect
 * retries). Error codes of better-sqlite3 are SQLite's extended result code
 * names (sqlite.org/rescode.html).
 */
import { KarError, isKarError } from '../../errors/index.js';

function sqliteCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  const code = (error as { code: unknown }).code;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
}

export function toStoreError(error: unknown, action: string): KarError {
  if (isKarError(error)) return error;
  const code = sqliteCode(error);
  // SQLITE_FULL: the disk (or the file system quota) is full.
  if (code === 'SQLITE_FULL') {
    return new KarError('KAR_ERR_STORE_FULL', `cannot ${action}: the disk holding the store is full`, { cause: error, details: { sqlite: code } });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new KarError('KAR_ERR_STORE_UNAVAILABLE', `cannot ${action}: ${message}`, { cause: error, details: { sqlite: code ?? 'none' } });
}
