/**
 * A disk that is really full: the receiver's data dir on a 3 MB tmpfs, the
 * sink down so that nothing drains, batches posted until SQLite answers
 * SQLITE_FULL. Konnect must get 429 + Retry-After (it retries), /readyz must
 * stay 200 (a balancer's 503 would make Konnect drop batches), and every
 * event acknowledged with 200 must come out once the disk has room again
 * (here: a restart with a working sink, which drains the store).
 *
 * Mounting a tmpfs needs root with CAP_SYS_ADMIN on Linux. CI runs `.ci/run`
 * as root on a VM, so it runs there; where a mount is not allowed (not root,
 * or a container without the capability: tried first, see tmpfsMountable)
 * the suite is skipped and says why on one line: the store's SQLITE_FULL
 * mapping alone is also covered by test/store/errors.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTestKey, makeSignedKonnectLines } from '../../src/testing/index.js';
import { getText, postLikeKonnect, startTestReceiver, waitForLines } from './support.js';

/**
 * Whether this machine lets us mount a tmpfs: root on Linux, and not a
 * container that withholds CAP_SYS_ADMIN (there `mount` fails even as root).
 * Tried once on a scratch folder; when it fails the suite says why, on one line.
 */
function tmpfsMountable(): { ok: true } | { ok: false; why: string } {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return { ok: false, why: 'mounting a tmpfs needs root on Linux' };
  const probe = mkdtempSync(join(tmpdir(), 'kar-mount-probe-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe], { stdio: 'pipe', timeout: 10_000 });
    execFileSync('umount', [probe], { stdio: 'pipe', timeout: 10_000 });
    return { ok: true };
  } catch (error) {
    return { ok: false, why: `mount -t tmpfs failed here (${String((error as { stderr?: Buffer }).stderr ?? error).trim().split('\n')[0]})` };
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}

const mountable = tmpfsMountable();
const canMount = mountable.ok;
if (!mountable.ok) console.warn(`skipped: test/intake/disk-full.test.ts (a real full disk): ${mountable.why}; test/store/errors.test.ts still covers the SQLITE_FULL mapping`);
const primary = loadTestKey('primary');

describe.runIf(canMount)('a full disk under the store (tmpfs of 3 MB; needs root to mount, see the header)', () => {
  let dir: string;
  let dataDir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kar-disk-full-'));
    dataDir = join(dir, 'data');
    await mkdir(dataDir);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', dataDir], { timeout: 10_000 });
  });
  afterAll(async () => {
    execFileSync('umount', [dataDir], { timeout: 10_000 });
    await rm(dir, { recursive: true, force: true });
  });

  it('answers 429 + Retry-After, stays ready, and loses none of the events it acknowledged', async () => {
    // The sink is down (connection refused): events stay in the store until the disk is full.
    const down = await startTestReceiver({ KONNECT_AUDIT_DATA_DIR: dataDir, KONNECT_AUDIT_SINK: 'http:http://127.0.0.1:9/down' });
    const acknowledged: string[] = [];
    let refused: Awaited<ReturnType<typeof postLikeKonnect>> | undefined;
    try {
      for (let seed = 1; seed <= 60 && refused === undefined; seed++) {
        const lines = makeSignedKonnectLines({ format: 'cef', count: 200, seed: 1000 + seed, key: primary.privateKey });
        const answer = await postLikeKonnect(down.url, down.cert.cert, lines);
        if (answer.status === 200) {
          const summary = JSON.parse(answer.body) as { accepted: number; duplicates: number };
          expect(summary.accepted + summary.duplicates).toBe(lines.length);
          acknowledged.push(...lines);
        } else {
          refused = answer;
        }
      }
      expect(refused, 'the disk never filled up').toBeDefined();
      expect(refused?.status).toBe(429);
      expect(Number(refused?.headers['retry-after'])).toBeGreaterThan(0);
      expect(JSON.parse(refused?.body ?? '{}')).toMatchObject({ error: { code: 'KAR_ERR_STORE_FULL' } });
      expect(acknowledged.length).toBeGreaterThan(0);

      const ready = await getText(`${down.url.replace(/\/audit-logs$/, '')}/readyz`, down.cert.cert);
      expect(ready.status).toBe(200);
      expect(JSON.parse(ready.body)).toMatchObject({ ready: true, store: expect.stringContaining('KAR_ERR_STORE_FULL') });
    } finally {
      await down.close();
      await rm(down.dir, { recursive: true, force: true });
    }

    // Room again, the operator's way here: the sink is back and drains the store.
    const up = await startTestReceiver({ KONNECT_AUDIT_DATA_DIR: dataDir });
    try {
      const delivered = (await waitForLines(up.sinkFile, new Set(acknowledged).size)).map((line) => (JSON.parse(line) as { raw: string }).raw);
      expect(new Set(delivered)).toEqual(new Set(acknowledged));
      const after = await postLikeKonnect(up.url, up.cert.cert, makeSignedKonnectLines({ format: 'cef', count: 5, seed: 9999, key: primary.privateKey }));
      expect(after.status).toBe(200);
    } finally {
      await up.close();
      await rm(up.dir, { recursive: true, force: true });
    }
  });
});
