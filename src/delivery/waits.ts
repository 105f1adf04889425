/**
 * @module delivery/waits
 * The two ways a sink worker waits: for new events (ends early when the
 * store commits or the dispatcher stops) and for a retry (ends early only
 * when the dispatcher stops for good).
 */

export interface Wakeable {
  /** Resolves after `ms`, or as soon as `wake()` is called. */
  wait(ms: number): Promise<void>;
  wake(): void;
}

export function createWakeable(): Wakeable {
  let pending: { resolve: () => void; timer: NodeJS.Timeout } | undefined;
  // A wake() that lands while nobody waits is remembered, so that a commit
  // between two reads is never missed.
  let woken = false;
  return {
    wait(ms) {
      if (woken) {
        woken = false;
        return Promise.resolve();
      }
      return new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          pending = undefined;
          resolve();
        }, Math.max(0, ms));
        timer.unref();
        pending = { resolve, timer };
      });
    },
    wake() {
      if (pending === undefined) {
        woken = true;
        return;
      }
      clearTimeout(pending.timer);
      const { resolve } = pending;
      pending = undefined;
      resolve();
    },
  };
}

/** Sleeps `ms` unless `signal` aborts first; resolves either way. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted || ms <= 0) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    timer.unref();
    signal.addEventListener('abort', done, { once: true });
  });
}
