/**
 * @module audit/open-input
 * Opens one input (a file or `-` for stdin) as a stream of decompressed byte
 * chunks: gzip is detected by its magic bytes `1f 8b` (SPEC 2: Konnect's own
 * gzip is mislabelled, so names and labels are not trusted), the first bytes
 * are peeked for kind detection, and every read or inflate failure becomes a
 * KarError naming the input. Chunks are pulled, never pushed: a slow
 * consumer pauses the file (constant memory on any input size).
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { pipeline, Readable } from 'node:stream';
import { createGunzip, type Gunzip } from 'node:zlib';
import { KarError } from '../errors/index.js';

const GZIP_MAGIC = [0x1f, 0x8b] as const;
/** How much of the decompressed input detection looks at. */
export const HEAD_BYTES = 64 * 1024;
/** Reads small enough that chunks die young (they are copied into pooled batch buffers). */
const READ_CHUNK_BYTES = 256 * 1024;

export const STDIN_NAME = '<stdin>';

export interface OpenedInput {
  /** How the input is named in reports: the path as given, or `<stdin>`. */
  readonly name: string;
  readonly gzip: boolean;
  /** The first bytes of the decompressed input (up to HEAD_BYTES; less at its end, or when `headEnough` said so). */
  readonly head: Buffer;
  /** Size on disk (compressed bytes for .gz); undefined for stdin and pipes. */
  readonly sizeBytes: number | undefined;
  /** Bytes read from the file or stdin so far (compressed for .gz): progress. */
  bytesRead(): number;
  /** The decompressed bytes, head included; iterate once. */
  chunks(): AsyncIterable<Buffer>;
  /** Stops reading and closes the source (the file, or stdin). */
  close(): void;
}

function ioError(name: string, error: unknown): KarError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string' && code.startsWith('Z_')) {
    return new KarError('KAR_ERR_INPUT_GZIP', `${name}: cannot inflate the gzip data (${(error as Error).message})`, { details: { input: name }, cause: error });
  }
  const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : (error as Error | undefined)?.message ?? String(error);
  return new KarError('KAR_ERR_IO_READ', `${name}: cannot read (${why})`, { details: { input: name }, cause: error });
}

/** Reads an async iterator of chunks until `min` bytes, its end, or `enough` says so. */
async function peek(iterator: AsyncIterator<Buffer>, min: number, enough?: (head: Buffer) => boolean): Promise<{ head: Buffer[]; size: number; done: boolean }> {
  const head: Buffer[] = [];
  let size = 0;
  while (size < min) {
    const next = await iterator.next();
    if (next.done === true) return { head, size, done: true };
    head.push(next.value);
    size += next.value.length;
    if (enough?.(Buffer.concat(head)) === true) break;
  }
  return { head, size, done: false };
}

async function* replay(head: readonly Buffer[], iterator: AsyncIterator<Buffer>, done: boolean): AsyncGenerator<Buffer> {
  yield* head;
  if (done) return;
  for (;;) {
    const next = await iterator.next();
    if (next.done === true) return;
    yield next.value;
  }
}

/** Wraps a byte source so that its errors name the input and its bytes are counted. */
async function* guarded(name: string, source: AsyncIterable<Buffer>, count?: (n: number) => void): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of source) {
      count?.(chunk.length);
      yield chunk;
    }
  } catch (error) {
    throw ioError(name, error);
  }
}

/**
 * `headEnough`: stop peeking the head as soon as it says yes (detection has
 * what it needs), rather than waiting for HEAD_BYTES on a slow stream.
 */
export async function openInput(path: string, stdin: Readable, cwd = process.cwd(), headEnough?: (head: Buffer) => boolean): Promise<OpenedInput> {
  const isStdin = path === '-';
  const name = isStdin ? STDIN_NAME : path;
  let sizeBytes: number | undefined;
  if (!isStdin) {
    const full = path.startsWith('/') ? path : `${cwd}/${path}`;
    try {
      const info = await stat(full);
      if (info.isDirectory()) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
      sizeBytes = info.isFile() ? info.size : undefined;
    } catch (error) {
      throw ioError(name, error);
    }
    path = full;
  }
  let read = 0;
  const fileStream: Readable = isStdin ? stdin : createReadStream(path, { highWaterMark: READ_CHUNK_BYTES });
  const raw = guarded(name, fileStream as AsyncIterable<Buffer>, (n) => (read += n))[Symbol.asyncIterator]();
  const rawPeek = await peek(raw, GZIP_MAGIC.length);
  const first = Buffer.concat(rawPeek.head);
  const gzip = first[0] === GZIP_MAGIC[0] && first[1] === GZIP_MAGIC[1];
  if (!gzip && /\.gz$/i.test(name)) {
    // A damaged .gz read as text would pass for a pile of unparseable lines: say what it is.
    fileStream.destroy();
    throw new KarError('KAR_ERR_INPUT_GZIP', `${name}: named .gz but not gzip data (no 1f 8b magic bytes)`, { details: { input: name } });
  }

  let bytes: AsyncIterator<Buffer>;
  let gunzip: Gunzip | undefined;
  if (gzip) {
    const inflate = createGunzip({ chunkSize: 64 * 1024 });
    gunzip = inflate;
    // pipeline() destroys both sides on error; the error reaches the reader through `inflate`.
    pipeline(Readable.from(replay(rawPeek.head, raw, rawPeek.done)), inflate, () => undefined);
    bytes = guarded(name, inflate as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  } else {
    bytes = replay(rawPeek.head, raw, rawPeek.done)[Symbol.asyncIterator]();
  }
  const headPeek = await peek(bytes, HEAD_BYTES, headEnough);
  const head = Buffer.concat(headPeek.head);
  let used = false;
  return {
    name,
    gzip,
    head: head.subarray(0, HEAD_BYTES),
    sizeBytes,
    bytesRead: () => read,
    chunks() {
      if (used) throw new Error('openInput: chunks() iterated twice');
      used = true;
      return replay(head.length > 0 ? [head] : [], bytes, headPeek.done);
    },
    close() {
      gunzip?.destroy();
      // stdin too: after an error, a pipe still open on the writer's side would keep the process alive.
      fileStream.destroy();
    },
  };
}
