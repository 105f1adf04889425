/**
 * The payload through a real receiver (TLS on loopback, gzip like Konnect,
 * the fixture JWKS, SQLite, delivery, a file sink) chosen by
 * KONNECT_AUDIT_SINK_PAYLOAD: `raw` writes the received lines byte for byte,
 * `ocsf` writes documents that validate against the OCSF schemas.
 */
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { postLikeKonnect, startTestReceiver, waitForLines, type TestReceiver } from '../intake/support.js';
import { madeLines, repoRoot } from '../payload/support/events.js';
import { ocsfValidators } from '../payload/support/schemas.js';

const lines = [
  ...['cef-valid.log', 'json-valid.log', 'cps-valid.log'].flatMap((file) => readFileSync(`${repoRoot}fixtures/${file}`, 'utf8').split('\n').filter((l) => l !== '')),
  ...madeLines(),
];

let receiver: TestReceiver | undefined;
afterEach(async () => {
  if (receiver === undefined) return;
  await receiver.close();
  await rm(receiver.dir, { recursive: true, force: true });
  receiver = undefined;
});

async function deliver(payload: string): Promise<Buffer> {
  receiver = await startTestReceiver({ KONNECT_AUDIT_SINK_PAYLOAD: payload });
  const answer = await postLikeKonnect(receiver.url, receiver.cert.cert, lines);
  expect(JSON.parse(answer.body)).toEqual({ accepted: lines.length, duplicates: 0, quarantined: 0, rejected: 0 });
  await waitForLines(receiver.sinkFile, lines.length);
  return readFileSync(receiver.sinkFile);
}

describe('KONNECT_AUDIT_SINK_PAYLOAD through a receiver', () => {
  it('raw: the file holds the received lines byte for byte (CEF, JSON, cps, non-ASCII, a CEF preamble)', async () => {
    const written = await deliver('raw');
    expect(written.equals(Buffer.from(lines.map((l) => `${l}\n`).join(''), 'utf8'))).toBe(true);
  });

  it('ocsf: every delivered document validates against its OCSF class', async () => {
    const written = (await deliver('ocsf')).toString('utf8').trim().split('\n');
    const { authentication, apiActivity } = ocsfValidators();
    const invalid = written.map((l) => JSON.parse(l) as { class_uid: number }).filter((doc) => !(doc.class_uid === 3002 ? authentication(doc) : apiActivity(doc)));
    expect(written).toHaveLength(lines.length);
    expect(invalid).toEqual([]);
  });
});
