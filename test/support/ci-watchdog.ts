/**
 * A vitest reporter for `.ci/run`, beside `--reporter=minimal`: it makes a
 * hung test visible and ends it, so that CI never waits out its time limit.
 *
 * Why: vitest bounds each test and hook with a timeout, but that timeout runs
 * on the event loop of the test's own process. A test file whose process is
 * blocked (a synchronous call that never returns, a native call waiting on a
 * lock) never reports again, and vitest waits for it forever. CI shows only
 * the beginning of a run's output, so this reporter writes little: one line
 * per slow test file, a `still running` line naming the test in progress,
 * and, when a file has run for FILE_LIMIT_MS, the process tree and the end of
 * that file's process (SIGKILL): vitest then counts the file as failed and
 * goes on with the others.
 *
 * Nothing here times a test: the limits are far above what any file needs on
 * a loaded 2-core machine (the slowest takes about 40 s).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { Reporter, TestCase, TestModule } from 'vitest/node';

/** A file that runs this long is taken for hung: diagnosed, and its process killed (the variable is for trying the watchdog out). */
const FILE_LIMIT_MS = Number(process.env['CI_WATCHDOG_FILE_LIMIT_MS'] ?? 600_000);
/** A file that runs this long gets a `still running` line (then every period again). */
const WARN_AFTER_MS = FILE_LIMIT_MS * 0.3;
const CHECK_EVERY_MS = Math.min(30_000, WARN_AFTER_MS / 2);
/** A file that takes longer than this gets a line with its time. */
const SLOW_FILE_MS = 30_000;

interface Running {
  readonly started: number;
  warnedAt: number;
  readonly inProgress: Set<string>;
  /** The last test that reported a result: the hang is after it. */
  lastDone: string | undefined;
}

const say = (line: string): void => {
  process.stdout.write(`ci-watchdog: ${line}\n`);
};

/** Pids of every descendant of `root` (from /proc: no ps needed), with their command lines. */
function descendants(root: number): { pid: number; ppid: number; cmd: string }[] {
  const all: { pid: number; ppid: number; cmd: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
      all.push({ pid: Number(entry), ppid, cmd });
    } catch {
      // the process ended while we looked
    }
  }
  const found: typeof all = [];
  const parents = new Set([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of all) {
      if (parents.has(p.ppid) && !parents.has(p.pid)) {
        parents.add(p.pid);
        found.push(p);
        grew = true;
      }
    }
  }
  return found;
}

/** Each thread of `pid` as name:state:kernel-wait (where a blocked process sleeps, e.g. futex_wait_queue or pipe_read). */
function threadsOf(pid: number): string {
  const read = (file: string): string => {
    try {
      return readFileSync(file, 'utf8').trim();
    } catch {
      return '?';
    }
  };
  try {
    return readdirSync(`/proc/${pid}/task`)
      .map((tid) => {
        const stat = read(`/proc/${pid}/task/${tid}/stat`);
        const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
        return `${read(`/proc/${pid}/task/${tid}/comm`)}:${state}:${read(`/proc/${pid}/task/${tid}/wchan`)}`;
      })
      .join(' ');
  } catch {
    return '(gone)';
  }
}

export default class CiWatchdog implements Reporter {
  private readonly running = new Map<string, Running>();
  private timer: NodeJS.Timeout | undefined;
  private files = 0;
  private done = 0;

  onTestRunStart(specifications: readonly unknown[]): void {
    this.files = specifications.length;
    say(`${this.files} test files; a line appears only for a slow, failed or hung file`);
    this.timer = setInterval(() => this.check(), CHECK_EVERY_MS);
    this.timer.unref();
  }

  onTestModuleStart(testModule: TestModule): void {
    this.running.set(testModule.moduleId, { started: Date.now(), warnedAt: 0, inProgress: new Set(), lastDone: undefined });
  }

  onTestCaseReady(testCase: TestCase): void {
    this.running.get(testCase.module.moduleId)?.inProgress.add(testCase.fullName);
  }

  onTestCaseResult(testCase: TestCase): void {
    const run = this.running.get(testCase.module.moduleId);
    run?.inProgress.delete(testCase.fullName);
    if (run !== undefined) run.lastDone = testCase.fullName;
  }

  onTestModuleEnd(testModule: TestModule): void {
    const run = this.running.get(testModule.moduleId);
    this.running.delete(testModule.moduleId);
    this.done++;
    const ms = run === undefined ? 0 : Date.now() - run.started;
    if (ms >= SLOW_FILE_MS) say(`${this.name(testModule.moduleId)} took ${Math.round(ms / 1000)} s (${this.done}/${this.files} files done)`);
  }

  onTestRunEnd(): void {
    clearInterval(this.timer);
  }

  private name(moduleId: string): string {
    return relative(process.cwd(), moduleId);
  }

  private check(): void {
    const now = Date.now();
    for (const [moduleId, run] of this.running) {
      const ms = now - run.started;
      const after = run.lastDone === undefined ? 'before any test finished' : `after "${run.lastDone}"`;
      const tests = [...run.inProgress].join(' | ') || `(no test reported as started: collecting, a hook, teardown, or a process too blocked to report; ${after})`;
      if (ms >= FILE_LIMIT_MS) {
        say(`${this.name(moduleId)} has run ${Math.round(ms / 1000)} s: taken for hung in: ${tests}`);
        this.killWorkers();
        this.running.delete(moduleId);
      } else if (ms >= WARN_AFTER_MS && now - run.warnedAt >= WARN_AFTER_MS) {
        run.warnedAt = now;
        say(`${this.name(moduleId)} still running after ${Math.round(ms / 1000)} s, in: ${tests}`);
      }
    }
  }

  /** Prints the process tree under vitest, then kills vitest's test processes (vitest reports their files as failed). */
  private killWorkers(): void {
    const tree = descendants(process.pid);
    for (const p of tree) {
      let state = '';
      try {
        state = /^State:\s+(.*)$/m.exec(readFileSync(`/proc/${p.pid}/status`, 'utf8'))?.[1] ?? '';
      } catch {
        // gone
      }
      say(`  pid ${p.pid} (parent ${p.ppid}) ${state}: ${p.cmd.slice(0, 240)}`);
    }
    const workers = tree.filter((p) => p.ppid === process.pid && p.cmd.includes('workers/forks'));
    for (const worker of workers) say(`  threads of ${worker.pid}: ${threadsOf(worker.pid)}`);
    // The test processes, and what they started (daemons, receivers), which would outlive them and hold ports.
    const victims = new Set(workers.map((w) => w.pid));
    for (const p of tree) if (victims.has(p.ppid)) victims.add(p.pid);
    for (const pid of [...victims].reverse()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    say(`  killed ${victims.size} processes: ${[...victims].join(' ')}`);
  }
}
