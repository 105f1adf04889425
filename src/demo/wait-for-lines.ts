/**
 * @module demo/wait-for-lines
 * Waits until a file holds at least `count` complete lines: the demo's
 * "delivered to the file sink" check (the dispatcher delivers from the store
 * asynchronously, after Konnect already got its 200).
 */
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

const POLL_MS = 25;

/** The complete lines once there are `count` of them; `undefined` if the deadline passes first. */
export async function waitForLines(path: string, count: number, timeoutMs: number): Promise<string[] | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = await readFile(path, 'utf8').catch(() => '');
    const complete = text.slice(0, text.lastIndexOf('\n') + 1);
    const lines = complete === '' ? [] : complete.trimEnd().split('\n');
    if (lines.length >= count) return lines;
    if (Date.now() >= deadline) return undefined;
    await sleep(POLL_MS);
  }
}
