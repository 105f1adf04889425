/**
 * @module audit/report
 * Counting verdicts into the audit report, and its text form. The JSON form
 * has exactly the keys of SPEC 7 (`total`, `valid`, `invalid`, `missing`,
 * `malformed`, `by_kid`, `failures`) plus `unparseable` and `files`.
 * Only the first `maxFailures` failures are kept (constant memory); the rest
 * are counted: `total - valid - failures.length` were left out.
 */
import { verdictAt, type BatchVerdicts } from './check-batch.js';
import type { InputKind } from './input-kinds.js';
import { auditStatuses, type AuditStatus, type LineVerdict } from './verdict.js';

export interface AuditFailure {
  readonly file: string;
  readonly line: number;
  readonly status: Exclude<AuditStatus, 'valid'>;
  readonly reason: string;
}

export interface AuditFileSummary {
  readonly file: string;
  readonly kind: InputKind;
  readonly gzip: boolean;
  readonly total: number;
}

export interface AuditReport {
  readonly total: number;
  readonly valid: number;
  readonly invalid: number;
  readonly missing: number;
  readonly malformed: number;
  readonly unparseable: number;
  /** Valid lines per key id; every key loaded is listed, with 0 when it verified nothing. */
  readonly by_kid: Readonly<Record<string, number>>;
  readonly failures: readonly AuditFailure[];
  readonly files: readonly AuditFileSummary[];
}

export interface ReportBuilder {
  add(verdict: LineVerdict): void;
  /** Every verdict of a batch (no object per line unless it is a listed failure). */
  addBatch(verdicts: BatchVerdicts): void;
  addFile(summary: AuditFileSummary): void;
  /** Lines counted so far (progress). */
  readonly total: number;
  report(): AuditReport;
}

export function createReportBuilder(options: { readonly kids: readonly string[]; readonly maxFailures: number }): ReportBuilder {
  const counts: Record<AuditStatus, number> = { valid: 0, invalid: 0, missing: 0, malformed: 0, unparseable: 0 };
  const byKid = new Map<string, number>(options.kids.map((kid) => [kid, 0]));
  const failures: AuditFailure[] = [];
  const files: AuditFileSummary[] = [];
  let total = 0;
  const byIndex = auditStatuses.map((status) => status);
  return {
    addBatch(verdicts) {
      const { statuses, kids } = verdicts;
      for (let i = 0; i < statuses.length; i++) {
        const status = byIndex[statuses[i] as number] as AuditStatus;
        total++;
        counts[status]++;
        if (status === 'valid') {
          const kid = kids[i] ?? '';
          byKid.set(kid, (byKid.get(kid) ?? 0) + 1);
        } else if (failures.length < options.maxFailures) {
          const v = verdictAt(verdicts, i);
          failures.push({ file: v.file, line: v.line, status, reason: v.reason ?? status });
        }
      }
    },
    add(verdict) {
      total++;
      counts[verdict.status]++;
      if (verdict.status === 'valid') {
        const kid = verdict.kid ?? '';
        byKid.set(kid, (byKid.get(kid) ?? 0) + 1);
      } else if (failures.length < options.maxFailures) {
        failures.push({ file: verdict.file, line: verdict.line, status: verdict.status, reason: verdict.reason ?? verdict.status });
      }
    },
    addFile(summary) {
      files.push(summary);
    },
    get total() {
      return total;
    },
    report() {
      return { total, ...counts, by_kid: Object.fromEntries(byKid), failures: [...failures], files: [...files] };
    },
  };
}

/** The statuses that make `verify` exit 1 (`--fail-on`); by default every status but `valid`. */
export type FailOn = ReadonlySet<Exclude<AuditStatus, 'valid'>>;
export const DEFAULT_FAIL_ON: FailOn = new Set(['invalid', 'missing', 'malformed', 'unparseable']);

/** 0 when no line has a status in `failOn`, 1 otherwise (exit 2 is for errors, thrown). */
export function exitCodeOf(report: AuditReport, failOn: FailOn): 0 | 1 {
  for (const status of failOn) if (report[status] > 0) return 1;
  return 0;
}

const number = new Intl.NumberFormat('en-US');

function table(rows: readonly (readonly string[])[], indent = '  '): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => indent + row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('   ').trimEnd());
}

/** The report for a person: totals by status and by kid, inputs, the first failures, the verdict. */
export function renderTextReport(report: AuditReport, failOn: FailOn): string {
  const out: string[] = [];
  const inputs = report.files.length;
  out.push(`Signature audit of ${number.format(report.total)} line${report.total === 1 ? '' : 's'} in ${inputs} input${inputs === 1 ? '' : 's'}`);
  out.push(...table(auditStatuses.map((status) => [status, number.format(report[status]).padStart(number.format(report.total).length)])));
  out.push('', 'Valid lines by key (kid):');
  const kids = Object.entries(report.by_kid);
  out.push(...(kids.length === 0 ? ['  (no keys)'] : table(kids.map(([kid, n]) => [kid, number.format(n)]))));
  out.push('', 'Inputs:');
  out.push(...table(report.files.map((f) => [f.file, f.kind + (f.gzip ? ' (gzip)' : ''), `${number.format(f.total)} lines`])));
  const notValid = report.total - report.valid;
  if (notValid > 0) {
    const shown = report.failures.length;
    out.push('', shown < notValid ? `Lines that are not valid (first ${number.format(shown)} of ${number.format(notValid)}):` : 'Lines that are not valid:');
    out.push(...table(report.failures.map((f) => [`${f.file}:${f.line}`, f.status, f.reason])));
  }
  out.push('');
  const failing = [...failOn].filter((status) => report[status] > 0);
  if (failing.length === 0) {
    const ignored = notValid > 0 ? ` (${number.format(notValid)} not valid, none of them in --fail-on)` : '';
    out.push(report.total === 0 ? 'Result: OK, but the inputs hold no lines.' : `Result: OK, every line is valid${ignored}.`);
  } else {
    const parts = failing.map((status) => `${number.format(report[status])} ${status}`).join(', ');
    out.push(`Result: FAIL, ${parts}.`);
  }
  return `${out.join('\n')}\n`;
}
