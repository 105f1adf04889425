/**
 * External daemons the tests start for real (rsyslog, nats-server, haproxy,
 * promtool): find the binary, and decide what a machine without it does.
 *
 * - A developer's fresh machine (`npm ci && npm test` with only Node): the
 *   suite is skipped and says so on one line that names the Debian package.
 * - CI (`.ci/run` exports KONNECT_AUDIT_TEST_REQUIRE_DAEMONS=1 and installs
 *   the packages): a missing daemon fails the run, so a green CI always means
 *   the real daemons were exercised.
 *
 * Use: `const rsyslogd = externalDaemon('rsyslogd', 'rsyslog rsyslog-gnutls');`
 * then `describe.runIf(rsyslogd.path !== undefined)(...)` and use `rsyslogd.path`.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface ExternalDaemon {
  /** Absolute path of the executable, or undefined when it is not installed. */
  readonly path: string | undefined;
  /** The Debian package(s) that bring it, as `apt-get install` takes them. */
  readonly packages: string;
}

/** Set by `.ci/run`: every external daemon must be present (a skip is a failure). */
export const REQUIRE_DAEMONS_VARIABLE = 'KONNECT_AUDIT_TEST_REQUIRE_DAEMONS';

const SYSTEM_DIRS = ['/usr/sbin', '/sbin', '/usr/local/sbin', '/usr/bin', '/usr/local/bin'];

/** Looks for `binary` on PATH and in the sbin folders (daemons often live there, outside a user's PATH). */
export function findExecutable(binary: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), ...SYSTEM_DIRS];
  for (const dir of dirs) {
    if (dir === '') continue;
    const candidate = join(dir, binary);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

const announced = new Set<string>();

/**
 * Finds `binary`. Missing under CI: throws (the suite fails with the install
 * command). Missing elsewhere: prints one line naming the package, once per
 * binary and test file, and returns `path: undefined` for `describe.runIf`.
 */
export function externalDaemon(binary: string, packages: string): ExternalDaemon {
  const path = findExecutable(binary);
  if (path !== undefined) return { path, packages };
  const hint = `${binary} is not installed: apt-get update && apt-get install -y ${packages}`;
  if (process.env[REQUIRE_DAEMONS_VARIABLE] === '1') {
    throw new Error(`${hint} (${REQUIRE_DAEMONS_VARIABLE}=1: CI runs every suite against the real daemon)`);
  }
  if (!announced.has(binary)) {
    announced.add(binary);
    process.stderr.write(`skipped: tests that need ${binary} (Debian package ${packages}); ${hint}\n`);
  }
  return { path: undefined, packages };
}
