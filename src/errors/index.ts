/** @module errors */
export { errorRegistry, isErrorCode, specOf, type ErrorCode, type ErrorSpec } from './registry.js';
export { KarError, isKarError, type KarErrorOptions } from './kar-error.js';
