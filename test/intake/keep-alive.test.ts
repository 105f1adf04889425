/**
 * Idle keep-alive connections stay open well past Node's 5-second default:
 * a new TLS connection costs the receiver milliseconds of CPU
 * (bench/support/handshake-probe.ts), and Konnect may post every few seconds.
 */
import { rm } from 'node:fs/promises';
import { Agent } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEEP_ALIVE_TIMEOUT_MS } from '../../src/intake/run-receiver.js';
import { loadTestKey, makeSignedKonnectLines } from '../../src/testing/index.js';
import { postLikeKonnect, startTestReceiver, type TestReceiver } from './support.js';

describe('keep-alive', () => {
  let receiver: TestReceiver;
  beforeAll(async () => {
    receiver = await startTestReceiver();
  });
  afterAll(async () => {
    await receiver.close();
    await rm(receiver.dir, { recursive: true, force: true });
  });

  it('announces the keep-alive timeout on a batch answer and keeps the connection for the next batch', async () => {
    const key = loadTestKey('primary').privateKey;
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const sockets = new Set<unknown>();
    agent.on('free', (socket) => sockets.add(socket));
    try {
      const first = await postLikeKonnect(receiver.url, receiver.cert.cert, makeSignedKonnectLines({ format: 'cef', count: 2, seed: 31, key }), {}, undefined, agent);
      const second = await postLikeKonnect(receiver.url, receiver.cert.cert, makeSignedKonnectLines({ format: 'cef', count: 2, seed: 32, key }), {}, undefined, agent);
      expect([first.status, second.status]).toEqual([200, 200]);
      expect(first.headers['keep-alive']).toBe(`timeout=${KEEP_ALIVE_TIMEOUT_MS / 1000}`);
      expect(sockets.size).toBe(1);
    } finally {
      agent.destroy();
    }
  });
});
