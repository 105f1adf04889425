/**
 * @module audit
 * `konnect-audit verify`: signature audits of exported logs at scale. Inputs
 * of six kinds (raw lines, our NDJSON, Splunk and Sumo Logic exports in JSON
 * and CSV, any of them gzip-compressed) are read as streams, every line is
 * verified against every key given, and the verdicts are counted into a
 * report. `runAudit` is the whole audit; the CLI only parses arguments and
 * prints.
 */
export { runAudit, DEFAULT_MAX_LINE_BYTES, DEFAULT_MAX_FAILURES, DEFAULT_IN_FLIGHT, type AuditOptions } from './run-audit.js';
export { detectInputKind, isHeadDecisive } from './detect.js';
export { inputKinds, isInputKind, csvRawColumns, jsonRecordShapes, type InputKind, type JsonRecordShape } from './input-kinds.js';
export { openInput, STDIN_NAME, type OpenedInput } from './open-input.js';
export { readRawLines, batchBufferBytes, FLUSH_BYTES } from './read-raw.js';
export { readCsvRecords, type CsvReadOptions } from './read-csv.js';
export { readJsonRecords } from './read-json.js';
export type { RecordBatch, RecordProblem } from './record-batch.js';
export { createBufferPool, type BufferPool } from './buffer-pool.js';
export { checkBatch, verdictAt, verdictCount, STATUS, type BatchVerdicts, type CheckDeps } from './check-batch.js';
export { auditStatuses, isAuditStatus, type AuditStatus, type LineVerdict } from './verdict.js';
export {
  createReportBuilder,
  renderTextReport,
  exitCodeOf,
  DEFAULT_FAIL_ON,
  type AuditReport,
  type AuditFailure,
  type AuditFileSummary,
  type FailOn,
  type ReportBuilder,
} from './report.js';
export { createProgress, formatProgress, type Progress, type ProgressSnapshot } from './progress.js';
