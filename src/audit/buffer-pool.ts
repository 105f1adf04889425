/**
 * @module audit/buffer-pool
 * Reusable batch buffers. A batch's buffer lives until its verification ends
 * (tens of milliseconds): long enough for V8 to promote it, and promoted
 * buffers are only freed by a full collection, which V8 runs after tens of
 * MB of external memory have piled up. Measured on a 100 MB file with a
 * fresh 1 MiB buffer per batch: 61 MB of ArrayBuffers at peak, 148 MB RSS.
 * Reusing a handful of buffers keeps the input bytes out of the garbage.
 */

export interface BufferPool {
  readonly size: number;
  /** A buffer of `size` bytes (fresh when every pooled one is in use). */
  acquire(): Buffer;
  /** Gives a buffer back once nothing points into it any more. */
  release(buf: Buffer): void;
}

export function createBufferPool(size: number, keep: number): BufferPool {
  const free: Buffer[] = [];
  return {
    size,
    acquire() {
      return free.pop() ?? Buffer.allocUnsafeSlow(size);
    },
    release(buf) {
      if (buf.length === size && free.length < keep && !free.includes(buf)) free.push(buf);
    },
  };
}
