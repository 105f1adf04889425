/**
 * @module intake/admission
 * Admission of batches by the memory they take, not by how many there are
 * (SPEC 5.1: "memory is a budget, not a hope").
 *
 * Each POST holds a lease on a byte budget for as long as it is processed:
 * first its compressed size (the declared Content-Length, or the body cap
 * while that is unknown), then, once the body is read, the size it will
 * inflate to. A request whose bytes do not fit waits its turn (first come,
 * first served, at most `waitMs`); when the wait runs out it is answered 429
 * + Retry-After, which Konnect retries. A 16-connection burst of small
 * batches therefore waits a few milliseconds instead of being refused, and
 * no mix of concurrency and batch sizes can hold more than the budget.
 *
 * A cap on batches processed at once (`maxConcurrent`) is a second
 * resource of the same queue: a batch over it waits like one over the bytes.
 *
 * A lease that must grow while it is held (the body turned out to inflate
 * to more than its gzip trailer said) goes to the front of the queue: the
 * bytes it already holds are freed only when it finishes, so making it wait
 * behind newcomers could only delay everyone.
 */

export interface AdmissionOptions {
  /** Bytes (compressed + inflated) all batches in flight may hold together. */
  readonly budgetBytes: number;
  /** Batches processed at once (each holds one slot until it is answered). */
  readonly maxConcurrent: number;
  /** Longest a request waits for room before it is answered 429. */
  readonly waitMs: number;
}

/** Bytes held by one request; released exactly once, whatever happens. */
export interface AdmissionLease {
  /** Bytes held now. */
  bytes(): number;
  /** Holds `total` bytes instead (waits for room when it grows); false when the wait ran out (the lease keeps what it had). */
  resize(total: number): Promise<boolean>;
  release(): void;
}

export interface Admission {
  /** A lease on `bytes`, or undefined when no room came within the wait (answer 429). */
  admit(bytes: number): Promise<AdmissionLease | undefined>;
  /** Bytes held by leases now. */
  used(): number;
  /** Requests waiting for room now. */
  waiting(): number;
  /** Leases held now (batches being processed). */
  active(): number;
  readonly budgetBytes: number;
}

interface Waiter {
  readonly bytes: number;
  /** A new lease also needs a slot; a growing one already holds its own. */
  readonly needsSlot: boolean;
  readonly grant: () => void;
}

export function createAdmission(options: AdmissionOptions): Admission {
  const { budgetBytes, waitMs, maxConcurrent } = options;
  let used = 0;
  let active = 0;
  const queue: Waiter[] = [];
  const fits = (bytes: number, needsSlot: boolean): boolean => used + bytes <= budgetBytes && (!needsSlot || active < maxConcurrent);
  const hold = (bytes: number, needsSlot: boolean): void => {
    used += bytes;
    if (needsSlot) active++;
  };

  // Grants waiters in order while the head fits: a large batch at the head is
  // not overtaken forever by a stream of small ones.
  const pump = (): void => {
    for (;;) {
      const head = queue[0];
      if (head === undefined || !fits(head.bytes, head.needsSlot)) return;
      queue.shift();
      hold(head.bytes, head.needsSlot);
      head.grant();
    }
  };

  /** Takes `bytes` now or after waiting; resolves false when the wait runs out. */
  const take = (bytes: number, needsSlot: boolean): Promise<boolean> => {
    if (bytes <= 0 && !needsSlot) return Promise.resolve(true);
    // A growing lease (no slot needed) may go ahead of waiting newcomers.
    if ((queue.length === 0 || !needsSlot) && fits(bytes, needsSlot)) {
      hold(bytes, needsSlot);
      return Promise.resolve(true);
    }
    if (bytes > budgetBytes) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const waiter: Waiter = {
        bytes,
        needsSlot,
        grant: () => {
          clearTimeout(timer);
          resolve(true);
        },
      };
      const timer = setTimeout(() => {
        const at = queue.indexOf(waiter);
        if (at >= 0) queue.splice(at, 1);
        resolve(false);
        // The head that timed out may have been what blocked smaller ones behind it.
        pump();
      }, waitMs);
      if (needsSlot) queue.push(waiter);
      else queue.unshift(waiter);
    });
  };

  const give = (bytes: number, slot: boolean): void => {
    used -= bytes;
    if (slot) active--;
    pump();
  };

  return {
    budgetBytes,
    used: () => used,
    waiting: () => queue.length,
    active: () => active,
    async admit(bytes) {
      if (!(await take(bytes, true))) return undefined;
      let held = bytes;
      let released = false;
      return {
        bytes: () => held,
        async resize(total) {
          if (released) return false;
          if (total <= held) {
            give(held - total, false);
            held = total;
            return true;
          }
          if (!(await take(total - held, false))) return false;
          held = total;
          return true;
        },
        release() {
          if (released) return;
          released = true;
          give(held, true);
          held = 0;
        },
      };
    },
  };
}

/**
 * What a gzip body will inflate to, from its trailer (RFC 1952 §2.3.1: ISIZE,
 * the input size modulo 2^32, little-endian in the last 4 bytes). Only a
 * reservation hint: zlib checks ISIZE while inflating (a lie is a corrupt
 * body), and a body of several members, whose last member alone is counted
 * here, grows its lease when inflating goes past it.
 */
export function gzipInflatedSizeHint(body: Uint8Array): number | undefined {
  if (body.length < 18) return undefined;
  const n = body.length;
  return ((body[n - 4] as number) | ((body[n - 3] as number) << 8) | ((body[n - 2] as number) << 16) | ((body[n - 1] as number) << 24)) >>> 0;
}
