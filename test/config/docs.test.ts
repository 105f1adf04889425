import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { settings } from '../../src/config/index.js';
import { otherKnownEnv } from '../../src/config/settings.js';

const docs = readFileSync(new URL('../../docs/CONFIGURATION.md', import.meta.url), 'utf8');
const rows = new Map([...docs.matchAll(/^\| `(\w+)` \| (`KONNECT_AUDIT_\w+`|—) \| (`--[\w-]+`|—) \|/gm)].map((m) => [m[1], { env: m[2], flag: m[3] }]));

describe('docs/CONFIGURATION.md', () => {
  it.each(settings.map((s) => [s.key, s] as const))('documents %s with its variable and flag', (key, setting) => {
    const row = rows.get(key);
    expect(row, `add a row for ${key} to docs/CONFIGURATION.md`).toBeDefined();
    expect(row?.env).toBe(setting.env === undefined ? '—' : `\`${setting.env}\``);
    expect(row?.flag).toBe(setting.flag === undefined ? '—' : `\`${setting.flag}\``);
  });

  it('mentions no KONNECT_AUDIT_* variable that does not exist', () => {
    const known = new Set([...settings.flatMap((s) => (s.env === undefined ? [] : [s.env])), ...otherKnownEnv]);
    const mentioned = new Set([...docs.matchAll(/KONNECT_AUDIT_[A-Z_]+/g)].map((m) => m[0]));
    expect([...mentioned].filter((name) => !known.has(name))).toEqual([]);
  });
});
