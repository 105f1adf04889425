/**
 * @module testing
 * Test-only helpers shared by fixtures, tests, `send`, `demo` and the
 * benchmarks: Konnect-style signing (SPEC 3), realistic Konnect-shaped lines,
 * and the committed test keys. Nothing here is for production use.
 */
export { signMessage, signCefLine, signJsonLine, insertSigMember, sigPositions, type CefSignOptions, type SigningKey, type SigPosition } from './sign-lines.js';
export { makeKonnectLines, makeSignedKonnectLines, mulberry32, toCef, toJson, type KonnectEvent, type KonnectLinesOptions, type SignedKonnectLinesOptions } from './konnect-lines.js';
export { fixtureKeyFiles, fixturesDir, loadTestKey, testKeyIds, testKeyNames, testKeyOf, type PublicJwk, type TestKey, type TestKeyName } from './test-keys.js';
export { cpsSigPlaces, signCpsLine, wrapCps, type CpsSigPlace } from './sign-cps.js';
