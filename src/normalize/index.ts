/**
 * @module normalize
 * The `konnect-audit/v1` event (SPEC 6): one parsed line in, one event out,
 * with the one field-mapping table shared by CEF and JSON.
 */
export { SCHEMA_V1, categories, signatureStatuses, type Category, type NormalizedEvent, type SignatureResult, type SignatureStatus } from './event.js';
export { normalizeLine, type NormalizeContext } from './normalize-line.js';
export { serializeEvent } from './serialize.js';
export { eventIdOf, rawLineId, MAX_SIG_ID_BYTES } from './event-id.js';
export { categoryOf, type CategoryInput } from './category.js';
export { fieldMap, typedKeys, toBoolean, toInteger, typedValue, type FieldMapping, type FieldType, type TypedKey } from './field-map.js';
export { eventTimeOf, epochMillisToIso, isoToIso, rfc3164ToIso, type TimeSources } from './time.js';
export { normalizeWarnings, normalizeWarningTotals, type NormalizeWarning } from './metrics.js';
