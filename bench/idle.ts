/**
 * What an idle receiver costs (issue 10: "under 1% of a core"). Starts
 * `konnect-audit serve` as an operator would (TLS, a key set file, the
 * blackhole sink), lets it settle, posts one batch so that every part has
 * run once (the store, a sink worker, the signature workers), then reads the
 * CPU time of all its threads over a quiet window. Prints one JSON object.
 *
 *   npm run bench:idle [-- --seconds 30]
 */
import { gzipSync } from 'node:zlib';
import { request } from 'node:https';
import { createBenchEnvironment, startReceiverProcess } from './support/receiver-process.js';
import { createLineSource } from './support/signed-bodies.js';
import { round } from './support/stats.js';

const SETTLE_MS = 3_000;

function argSeconds(): number {
  const at = process.argv.indexOf('--seconds');
  const value = at >= 0 ? Number(process.argv[at + 1]) : 30;
  if (!Number.isFinite(value) || value < 5) throw new Error('--seconds takes a number of seconds (at least 5)');
  return value;
}

function postOnce(url: string, authorization: string, body: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', rejectUnauthorized: false, headers: { authorization, 'content-encoding': 'application/gzip', 'content-length': body.length } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  const seconds = argSeconds();
  const env = await createBenchEnvironment();
  const receiver = await startReceiverProcess(env, { name: 'idle' });
  try {
    const lines = await createLineSource(env.keyPair.privateKey).next(100);
    const status = await postOnce(receiver.url, env.authorization, gzipSync(`${lines.join('\n')}\n`));
    if (status !== 200) throw new Error(`the warm-up batch was answered ${status}`);
    await sleep(SETTLE_MS);
    const before = await receiver.cpuSecondsByThread();
    await sleep(seconds * 1000);
    const after = await receiver.cpuSecondsByThread();
    const share = (a: number, b: number): number => round(((b - a) / seconds) * 100);
    const result = {
      bench: 'idle',
      windowSeconds: seconds,
      coreShareAllThreadsPercent: share(before.main + before.threads, after.main + after.threads),
      coreShareEventLoopPercent: share(before.main, after.main),
      target: 'under 1% of one core (issue 10)',
      met: (after.main + after.threads - before.main - before.threads) / seconds < 0.01,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await receiver.stop();
    await env.remove();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:idle: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
