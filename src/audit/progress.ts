/**
 * @module audit/progress
 * A one-line progress display on stderr: lines done, lines/s, bytes done of
 * the total and the time left. Only for a person watching a terminal: when
 * stderr is not a TTY (a pipe, a file, CI) nothing is ever written. Redrawn
 * at most every `intervalMs`.
 */
import type { Writable } from 'node:stream';

export interface ProgressSnapshot {
  readonly lines: number;
  readonly bytesDone: number;
  /** Unknown when an input is stdin. */
  readonly bytesTotal: number | undefined;
}

export interface Progress {
  update(snapshot: ProgressSnapshot): void;
  /** Erases the line. */
  done(): void;
}

const number = new Intl.NumberFormat('en-US');

export function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = n;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}

/** The text of one progress line (exported for tests). */
export function formatProgress(snapshot: ProgressSnapshot, elapsedMs: number): string {
  const seconds = Math.max(elapsedMs / 1000, 0.001);
  const parts = [`${number.format(snapshot.lines)} lines`, `${number.format(Math.round(snapshot.lines / seconds))} lines/s`];
  if (snapshot.bytesTotal === undefined) {
    parts.push(formatBytes(snapshot.bytesDone));
  } else {
    parts.push(`${formatBytes(snapshot.bytesDone)} of ${formatBytes(snapshot.bytesTotal)}`);
    const rate = snapshot.bytesDone / seconds;
    if (rate > 0) parts.push(`${formatDuration((snapshot.bytesTotal - snapshot.bytesDone) / rate)} left`);
  }
  return parts.join(' · ');
}

export function createProgress(stream: Writable, options: { readonly intervalMs?: number; readonly now?: () => number } = {}): Progress {
  const isTty = (stream as Writable & { isTTY?: boolean }).isTTY === true;
  const now = options.now ?? Date.now;
  const intervalMs = options.intervalMs ?? 250;
  const started = now();
  let last = Number.NEGATIVE_INFINITY;
  let shown = false;
  return {
    update(snapshot) {
      if (!isTty) return;
      const t = now();
      if (t - last < intervalMs) return;
      last = t;
      shown = true;
      // \r and "erase to end of line": redraw in place.
      stream.write(`\r\x1b[K${formatProgress(snapshot, t - started)}`);
    },
    done() {
      if (isTty && shown) stream.write('\r\x1b[K');
    },
  };
}
