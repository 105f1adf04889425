/**
 * @module sinks/file/rotating-file
 * An append-only file with size-based rotation (`PATH` → `PATH.1` → ... →
 * `PATH.<maxFiles>`, the oldest deleted) and reopen (for logrotate: it
 * renames the file, sends SIGHUP, and the reopen creates a new `PATH`).
 * Operations are queued one after the other: a reopen never interleaves with
 * a write.
 */
import { mkdir, open, rename, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface RotatingFileOptions {
  readonly path: string;
  /** 0: no size rotation. */
  readonly maxFileBytes: number;
  readonly maxFiles: number;
  readonly fsync: boolean;
  readonly mode: number;
}

export interface RotatingFile {
  open(): Promise<void>;
  /** Appends whole lines; rotates between lines so no file passes maxFileBytes (unless one line does). */
  append(lines: readonly Buffer[]): Promise<void>;
  reopen(): Promise<void>;
  close(): Promise<void>;
}

export function createRotatingFile(options: RotatingFileOptions): RotatingFile {
  let handle: FileHandle | undefined;
  let size = 0;
  let queue: Promise<unknown> = Promise.resolve();

  // Each operation waits for the previous one, whatever its result.
  const serialize = <T>(operation: () => Promise<T>): Promise<T> => {
    const next = queue.then(operation, operation);
    queue = next.catch(() => undefined);
    return next;
  };

  const openFile = async (): Promise<FileHandle> => {
    await mkdir(dirname(options.path), { recursive: true, mode: 0o750 });
    const opened = await open(options.path, 'a', options.mode);
    size = (await opened.stat()).size;
    handle = opened;
    // A new (or renamed) file is durable only once its directory entry is: fsync the directory too.
    if (options.fsync && size === 0) await syncDirectory(dirname(options.path));
    return opened;
  };

  const closeFile = async (): Promise<void> => {
    const current = handle;
    handle = undefined;
    if (current !== undefined) await current.close();
  };

  const rotate = async (): Promise<void> => {
    await closeFile();
    for (let i = options.maxFiles - 1; i >= 1; i--) await renameIfExists(`${options.path}.${i}`, `${options.path}.${i + 1}`);
    await renameIfExists(options.path, `${options.path}.1`);
    await openFile();
  };

  const writeAll = async (target: FileHandle, bytes: Buffer): Promise<void> => {
    let offset = 0;
    while (offset < bytes.length) {
      const { bytesWritten } = await target.write(bytes, offset, bytes.length - offset);
      offset += bytesWritten;
    }
    size += bytes.length;
  };

  const append = async (lines: readonly Buffer[]): Promise<void> => {
    let target = handle ?? (await openFile());
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    const flush = async (): Promise<void> => {
      if (pendingBytes === 0) return;
      await writeAll(target, Buffer.concat(pending, pendingBytes));
      pending = [];
      pendingBytes = 0;
    };
    try {
      for (const line of lines) {
        if (options.maxFileBytes > 0 && size + pendingBytes > 0 && size + pendingBytes + line.length > options.maxFileBytes) {
          await flush();
          if (options.fsync) await target.sync();
          await rotate();
          target = handle ?? (await openFile());
        }
        pending.push(line);
        pendingBytes += line.length;
      }
      await flush();
      if (options.fsync) await target.sync();
    } catch (error) {
      // A failed write leaves the handle in an unknown state: start again from a fresh open.
      await closeFile().catch(() => undefined);
      throw error;
    }
  };

  return {
    open: () =>
      serialize(async () => {
        if (handle === undefined) await openFile();
      }),
    append: (lines) => serialize(() => append(lines)),
    reopen: () =>
      serialize(async () => {
        await closeFile();
        await openFile();
      }),
    close: () => serialize(closeFile),
  };
}

async function syncDirectory(path: string): Promise<void> {
  const dir = await open(path, 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

async function renameIfExists(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}
