/**
 * @module konnect-audit-receiver
 * The library's public exports: the data path and its stages, for those who
 * embed the receiver or build their own tooling on the tokenizer and verifier.
 */
export { processBatch, invalidSignaturePolicies, type BatchOutcome, type InvalidSignaturePolicy, type PipelineDeps } from './pipeline.js';
export { createLineParser, isLineError, type LineParser } from './lines/parse-line.js';
export { splitLines, type LineSpans } from './lines/split.js';
export type { CefHeader, FieldKind, LineError, LineFormat, LinePrefix, LineView } from './lines/types.js';
export { createCefTokens, tokenizeCef, type CefTokens } from './cef/index.js';
export { scanJsonLine } from './json/index.js';
export {
  createKeySet,
  createLineVerifier,
  createNativeVerifier,
  extractSignature,
  signedMessage,
  parseJwks,
  jwksUrlForRegion,
  DEFAULT_JWKS_URL,
  type KeySet,
  type Verdict,
  type VerifyItem,
  type VerificationKey,
} from './verify/index.js';
export { normalizeLine, serializeEvent, eventIdOf, SCHEMA_V1, type NormalizedEvent, type SignatureStatus } from './normalize/index.js';
export { errorRegistry, KarError, isKarError, type ErrorCode } from './errors/index.js';
export type { Sink, SinkRecord, WriteOutcome } from './sinks/types.js';
export type { Store, BatchSummary } from './store/types.js';
