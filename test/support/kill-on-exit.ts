/**
 * Processes a test starts (daemons, receivers) die with the test process,
 * even when it ends without its afterAll (a crash, or vitest killing a hung
 * file): otherwise they would outlive the run, holding ports and data dirs.
 */
import type { ChildProcess } from 'node:child_process';

const live = new Set<ChildProcess>();
let registered = false;

/** Kills `child` with SIGKILL if the test process exits while `child` still runs. */
export function killOnExit<T extends ChildProcess>(child: T): T {
  if (!registered) {
    registered = true;
    process.once('exit', () => {
      for (const running of live) running.kill('SIGKILL');
    });
  }
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}
