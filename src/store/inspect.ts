/**
 * @module store/inspect
 * What the `quarantine` and `dead-letter` commands share: where the store
 * is, a short printable preview of a line, and writing to a stream without
 * ignoring its backpressure (an export can be large).
 */
import { once } from 'node:events';
import { isAbsolute, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { KarError } from '../errors/index.js';

export const DEFAULT_DATA_DIR = './data';

/** --data-dir, else KONNECT_AUDIT_DATA_DIR, else ./data; relative to the command's directory. */
export function resolveDataDir(flag: string | undefined, env: NodeJS.ProcessEnv, cwd: string): string {
  const dir = flag ?? env['KONNECT_AUDIT_DATA_DIR'] ?? DEFAULT_DATA_DIR;
  if (dir.trim() === '') throw new KarError('KAR_ERR_USAGE', '--data-dir needs a directory; see --help');
  return isAbsolute(dir) ? dir : resolve(cwd, dir);
}

/** A positive integer option, or the fallback. */
export function parseLimit(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new KarError('KAR_ERR_USAGE', `--limit must be an integer >= 1 (got '${value}'); see --help`);
  return n;
}

/** The start of a line on one printable row: control characters escaped, cut at `max` characters. */
export function previewOf(text: string, max = 80): string {
  const escaped = JSON.stringify(text.length > max * 2 ? text.slice(0, max * 2) : text).slice(1, -1);
  return escaped.length > max ? `${escaped.slice(0, max - 3)}...` : escaped;
}

/** Writes and waits for 'drain' when the stream asks for it (or for 'close': a reader that went away). */
export async function writeOut(stream: Writable, text: string): Promise<void> {
  if (text === '' || stream.write(text)) return;
  await Promise.race([once(stream, 'drain'), once(stream, 'close')]);
}
