import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { errorRegistry, isErrorCode } from '../../src/errors/index.js';

const docs = readFileSync(new URL('../../docs/ERRORS.md', import.meta.url), 'utf8');
const documented = new Map(
  [...docs.matchAll(/^\| `(KAR_ERR_\w+)` \| (\S+) \| (yes|no) \| (\d) \|/gm)].map((m) => [m[1], { http: m[2], retryable: m[3], exit: m[4] }]),
);

describe('error registry', () => {
  it.each(Object.entries(errorRegistry))('%s is documented in docs/ERRORS.md with the same status, retryability and exit code', (code, spec) => {
    const row = documented.get(code);
    expect(row, `add a row for ${code} to docs/ERRORS.md`).toBeDefined();
    expect(row?.http).toBe('httpStatus' in spec ? String(spec.httpStatus) : '—');
    expect(row?.retryable).toBe(spec.retryable ? 'yes' : 'no');
    expect(row?.exit).toBe(String(spec.exitCode));
  });

  it('documents no code that does not exist', () => {
    const unknown = [...documented.keys()].filter((code) => code === undefined || !isErrorCode(code));
    expect(unknown).toEqual([]);
  });

  it('follows the KAR_ERR_<AREA>_<WHAT> naming rule', () => {
    for (const code of Object.keys(errorRegistry)) expect(code).toMatch(/^KAR_ERR_[A-Z0-9]+(_[A-Z0-9]+)*$/);
  });
});
