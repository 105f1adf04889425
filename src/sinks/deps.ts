/**
 * @module sinks/deps
 * What `createSink` injects into every sink.
 */
import type { Logger } from '../observability/logger.js';

export interface SinkDeps {
  /** Already bound to the sink's name by the caller (`logger.child({ sink: name })`); sinks add only their own fields (target URL host...). */
  readonly logger: Logger;
}
