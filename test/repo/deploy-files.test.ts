/**
 * The ways the README gives to run the receiver under a supervisor start node
 * itself, never `npx` (issue 12: npm exec does not pass SIGTERM on, and the
 * receiver is left running without its parent). Read from the files: the
 * systemd unit of docs/deploy/ and the Dockerfile.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { otherKnownEnv, settings } from '../../src/config/settings.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string): string => readFileSync(`${root}${path}`, 'utf8');

/** `Key=value` lines of a systemd unit (comments and sections skipped); a key may repeat. */
function unitEntries(text: string): Array<[string, string]> {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#') && !line.startsWith(';') && !line.startsWith('['))
    .map((line) => {
      const eq = line.indexOf('=');
      return [line.slice(0, eq), line.slice(eq + 1)] as [string, string];
    });
}

/** `KEY=value` lines of an environment file. */
function envEntries(text: string): Map<string, string> {
  return new Map(
    text
      .split('\n')
      .filter((line) => /^[A-Z_][A-Z0-9_]*=/.test(line))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as [string, string]),
  );
}

/** Words that put a process between the supervisor and node. */
const WRAPPERS = /(^|[\s/"])(npx|npm|pnpm|yarn|sh|bash)(\s|"|$)/;

describe('docs/deploy/konnect-audit.service', () => {
  const entries = unitEntries(read('docs/deploy/konnect-audit.service'));
  const all = (key: string): string[] => entries.filter(([k]) => k === key).map(([, v]) => v);
  const one = (key: string): string | undefined => all(key).at(-1);
  const env = new Map(all('Environment').map((assignment) => [assignment.slice(0, assignment.indexOf('=')), assignment.slice(assignment.indexOf('=') + 1)]));

  it('ExecStart runs `konnect-audit serve` (or node on bin.js) by absolute path, through no npx, npm or shell', () => {
    const execStart = all('ExecStart');
    expect(execStart).toHaveLength(1);
    const words = (execStart[0] as string).split(/\s+/);
    expect(words[0]).toMatch(/^\/\S*\/(konnect-audit|node)$/);
    expect(words.at(-1)).toBe('serve');
    expect(execStart[0]).not.toMatch(WRAPPERS);
  });

  it.each([
    ['restarted when it fails', 'Restart', 'on-failure'],
    ['but not after a configuration error (exit 2)', 'RestartPreventExitStatus', '2'],
    ['stopped by SIGTERM, which serve handles', 'KillSignal', 'SIGTERM'],
    ['no new privileges', 'NoNewPrivileges', 'yes'],
    ['the file system read-only but for ReadWritePaths', 'ProtectSystem', 'strict'],
    ['a private /tmp', 'PrivateTmp', 'yes'],
    ['no devices', 'PrivateDevices', 'yes'],
    ['no home directories', 'ProtectHome', 'yes'],
    ['no capabilities', 'CapabilityBoundingSet', ''],
  ])('%s: %s=%s', (_why, key, value) => {
    expect(one(key)).toBe(value);
  });

  it('the data directory is the state directory and is writable (ReadWritePaths)', () => {
    const dataDir = env.get('KONNECT_AUDIT_DATA_DIR');
    expect(dataDir).toBe(`/var/lib/${one('StateDirectory') ?? ''}`);
    expect(one('ReadWritePaths')?.split(/\s+/)).toContain(dataDir);
  });

  it('settings come from an EnvironmentFile, whose example names only known variables', () => {
    expect(one('EnvironmentFile')).toBe('/etc/konnect-audit/konnect-audit.env');
    const known = new Set([...settings.map((s) => s.env), ...otherKnownEnv]);
    const example = envEntries(read('docs/deploy/konnect-audit.env'));
    expect(example.size).toBeGreaterThan(0);
    for (const name of example.keys()) expect(known).toContain(name);
  });

  it('gives shutdown the time serve may take (TimeoutStopSec >= 2 x KONNECT_AUDIT_SHUTDOWN_TIMEOUT_MS)', () => {
    const shutdownMs = Number(envEntries(read('docs/deploy/konnect-audit.env')).get('KONNECT_AUDIT_SHUTDOWN_TIMEOUT_MS'));
    const stop = /^(\d+)s$/.exec(one('TimeoutStopSec') ?? '');
    expect(Number(stop?.[1]) * 1000).toBeGreaterThanOrEqual(2 * shutdownMs);
  });

  it('MemoryDenyWriteExecute is not set: node\'s JIT needs writable and executable memory', () => {
    expect(one('MemoryDenyWriteExecute')).toBeUndefined();
  });
});

describe('Dockerfile', () => {
  const instructions = read('Dockerfile')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .filter((line) => /^[A-Z]+\s/.test(line));
  const last = (name: string): string | undefined => instructions.filter((line) => line.startsWith(`${name} `)).at(-1)?.slice(name.length + 1).trim();

  it('ENTRYPOINT is the exec form ["node", ".../dist/cli/bin.js"]: node is PID 1 and gets SIGTERM itself', () => {
    const entrypoint = JSON.parse(last('ENTRYPOINT') ?? 'null') as unknown;
    expect(Array.isArray(entrypoint)).toBe(true);
    const [node, script, ...rest] = entrypoint as string[];
    expect(node).toBe('node');
    expect(script).toMatch(/\/dist\/cli\/bin\.js$/);
    expect(rest).toEqual([]);
  });

  it('CMD is ["serve"] (exec form) and no instruction of the runtime stage goes through npx', () => {
    expect(JSON.parse(last('CMD') ?? 'null')).toEqual(['serve']);
    const runtime = instructions.slice(instructions.findLastIndex((line) => line.startsWith('FROM ')));
    for (const line of runtime) expect(line).not.toMatch(/\bnpx\b/);
  });

  it('stops with SIGTERM', () => {
    expect(last('STOPSIGNAL')).toBe('SIGTERM');
  });
});
