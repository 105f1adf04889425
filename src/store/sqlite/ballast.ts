/**
 * @module store/sqlite/ballast
 * Room kept on the store's disk for delivery progress. In WAL mode a disk
 * that fills up cannot be folded back: a checkpoint must first grow the
 * database file, so once the disk is full even a sink recording "delivered"
 * (which is what frees the queue) has no room, and the store would stay full
 * for good. A ballast file of BALLAST_BYTES in the data dir holds that room:
 * a write other than a new batch that finds the disk full removes it and
 * tries again (new batches get 429 and wait for the sinks). It comes back
 * when the disk has room for it twice over.
 */
import { existsSync, statfsSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../../observability/logger.js';

export const BALLAST_FILE_NAME = 'konnect-audit.reserve';
export const BALLAST_BYTES = 1024 * 1024;

export interface Ballast {
  /** Puts the ballast back when it is gone and the disk has room for it twice over. */
  restore(): void;
  /** Frees its room; false when there was none to free. */
  release(): boolean;
}

export function createBallast(dataDir: string, logger: Logger): Ballast {
  const path = join(dataDir, BALLAST_FILE_NAME);
  const freeBytes = (): number => {
    try {
      const fs = statfsSync(dataDir);
      return fs.bavail * fs.bsize;
    } catch {
      return 0;
    }
  };
  return {
    restore() {
      if (existsSync(path) || freeBytes() < 2 * BALLAST_BYTES) return;
      try {
        writeFileSync(path, Buffer.alloc(BALLAST_BYTES), { mode: 0o600 });
      } catch {
        try {
          unlinkSync(path);
        } catch {
          // Nothing was written.
        }
      }
    },
    release() {
      try {
        unlinkSync(path);
      } catch {
        return false;
      }
      logger.warn({ code: 'KAR_ERR_STORE_FULL', freedBytes: BALLAST_BYTES }, 'the disk holding the store is full: released the room kept for delivery progress; new batches get 429 until the sinks drain the store');
      return true;
    },
  };
}
