/**
 * No absolute path of a development machine in the repository (issue 12): a
 * contributor's clone lives anywhere, and a path like the old team guide's
 * names one machine's layout. Greps every tracked file, as
 * `grep -rn` over a fresh clone would.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

// Spelled in pieces so that this file does not match itself.
const SLASH = '/';
const machinePaths: ReadonlyArray<readonly [what: string, pattern: RegExp]> = [
  ['the development machine\'s work tree', new RegExp(`${SLASH}work${SLASH}`)],
  ['a Linux home directory', new RegExp(`${SLASH}home${SLASH}[A-Za-z0-9_.-]+${SLASH}`)],
  ['root\'s home directory', new RegExp(`${SLASH}root${SLASH}`)],
  ['a macOS home directory', new RegExp(`${SLASH}Users${SLASH}[A-Za-z0-9_.-]+${SLASH}`)],
  ['a Windows home directory', new RegExp(`[A-Za-z]:\\\\${'Users'}\\\\`)],
];

/** Tracked files; without git (an unpacked tarball), every file but dependencies and build output. */
function repositoryFiles(): string[] {
  try {
    return execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\0').filter((f) => f !== '');
  } catch {
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        if (['node_modules', '.git', 'dist', 'coverage'].includes(name)) continue;
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else files.push(relative(root, path));
      }
    };
    walk(root);
    return files;
  }
}

describe('the repository names no machine paths', () => {
  const files = repositoryFiles().filter((file) => {
    try {
      return statSync(join(root, file)).isFile();
    } catch {
      // Deleted in the work tree, not yet in the index.
      return false;
    }
  });

  it('has files to look at', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(files).toContain('package.json');
  });

  it.each(machinePaths)('no file holds %s', (_what, pattern) => {
    const found: string[] = [];
    for (const file of files) {
      const bytes = readFileSync(join(root, file));
      if (bytes.includes(0)) continue; // binary
      bytes.toString('utf8').split('\n').forEach((line, i) => {
        if (pattern.test(line)) found.push(`${file}:${i + 1}: ${line.trim().slice(0, 120)}`);
      });
    }
    expect(found).toEqual([]);
  });
});
