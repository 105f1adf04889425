/**
 * @module sinks/deps
 * What `createSink` injects into every sink.
 */
import type { Logger } from '../observability/logger.js';

export interface SinkDeps {
  readonly logger: Logger;
}
