/**
 * @module verify/line-verifier
 * The verification step of the pipeline (SPEC 5.3): verify every line of a
 * batch; when some are `invalid`, ask the key set for a refresh (single-flight
 * and rate limited there) and verify those lines once more if the key set
 * changed since the first pass (a key rotation Konnect did before we noticed).
 */
import { KarError } from '../errors/index.js';
import { createSilentLogger, type Logger } from '../observability/logger.js';
import { signatureReverifiedTotal } from './metrics.js';
import { createNativeVerifier } from './native-verifier.js';
import type { BatchVerifier, KeySet, LineVerifier, Verdict, VerifyItem } from './types.js';

export interface LineVerifierOptions {
  readonly keySet: KeySet;
  /**
   * Default: node:crypto on the libuv pool over `keySet.keys()`, for the CLI
   * commands that check a handful of lines (starting worker threads would
   * cost more than it saves); the receiver passes its signature workers.
   */
  readonly verifier?: BatchVerifier;
  readonly logger?: Logger;
}

export function createLineVerifier(options: LineVerifierOptions): LineVerifier {
  const { keySet } = options;
  const verifier = options.verifier ?? createNativeVerifier(() => keySet.keys());
  const logger = options.logger ?? createSilentLogger();

  return {
    async verify(items: readonly VerifyItem[]): Promise<Verdict[]> {
      if (items.length === 0) return [];
      if (!keySet.isReady()) {
        await keySet.refresh();
        // A whole-batch failure: the receiver answers 500 and Konnect retries later.
        if (!keySet.isReady()) throw new KarError('KAR_ERR_KEYS_UNAVAILABLE', 'no JWKS key set is loaded and none is cached');
      }
      const versionBefore = keySet.version();
      const verdicts = await verifier.verifyBatch(items);
      const invalid: number[] = [];
      verdicts.forEach((verdict, i) => {
        if (verdict.status === 'invalid') invalid.push(i);
      });
      if (invalid.length === 0) return verdicts;

      // Another batch may have refreshed the set while this one was verifying: that counts too.
      await keySet.refresh();
      if (keySet.version() === versionBefore) return verdicts;

      const again = await verifier.verifyBatch(invalid.map((i) => items[i] as VerifyItem));
      let recovered = 0;
      again.forEach((verdict, k) => {
        verdicts[invalid[k] as number] = verdict;
        if (verdict.status === 'valid') recovered++;
        signatureReverifiedTotal.inc({ status: verdict.status });
      });
      logger.info({ reverified: invalid.length, recovered }, 'lines verified again after a key set refresh');
      return verdicts;
    },
  };
}
