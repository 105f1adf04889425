/**
 * @module demo/summary
 * What the demo prints for a person: what was sent and answered, what became
 * of the lines, where the events and the quarantine are, and the first
 * normalized event. Paths are shown relative to the working directory when
 * they are inside it, so they can be pasted into the next command.
 */
import { isAbsolute, relative } from 'node:path';
import type { DemoReport } from './run-demo.js';

export function formatDemoSummary(report: DemoReport, cwd: string): string {
  const show = (path: string): string => {
    const rel = relative(cwd, path);
    return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
  };
  const { totals, paths } = report;
  const valid = report.events.filter((line) => signatureStatusOf(line) === 'valid').length;
  const replayed = report.sends.filter((send) => send.replay).length;
  const tampered = report.sends.filter((send) => !send.replay).reduce((sum, send) => sum + send.result.tampered, 0);
  const out: string[] = [];
  out.push('konnect-audit demo: Konnect → receiver → file sink, on loopback, offline', '');
  out.push(`  receiver  ${report.url}  (TLS with a self-signed certificate the sender trusts: ${show(paths.cert)})`);
  out.push(`  keys      ${show(paths.jwks)}  (kid ${report.kid}, generated for this run)`, '');
  out.push('Konnect → receiver (gzip, Content-Encoding: application/gzip):');
  const rows = report.sends.map((send) => {
    const r = send.result;
    const label = send.replay ? `replay of batch ${(send.replayOf ?? 0) + 1}` : `batch ${r.index + 1}`;
    const what = `${label}  ${send.format.padEnd(4)} ${r.lines} lines${r.tampered > 0 ? ` (${r.tampered} tampered)` : ''}`;
    const s = r.summary;
    const answer = s === undefined ? `${r.status ?? 'no answer'}` : `${r.status}  accepted ${s.accepted}, duplicates ${s.duplicates}, quarantined ${s.quarantined}, rejected ${s.rejected}`;
    return [what, answer] as const;
  });
  const width = Math.max(...rows.map(([what]) => what.length));
  for (const [what, answer] of rows) out.push(`  ${what.padEnd(width)}  → ${answer}`);
  out.push('');
  out.push('Result:');
  out.push(`  batches sent          ${totals.batches} (${replayed} of them a replay), all answered 200`);
  out.push(`  events accepted       ${totals.accepted} (stored durably before the 200)`);
  out.push(`  signature valid       ${valid} of the ${report.events.length} events delivered`);
  out.push(`  quarantined           ${totals.quarantined} (the ${tampered} tampered lines: signature invalid)`);
  out.push(`  duplicates dropped    ${totals.duplicates} (the replayed batch: Konnect replays re-send events)`);
  if (totals.rejected > 0) out.push(`  rejected              ${totals.rejected}`);
  out.push('');
  out.push(`  events      ${show(paths.events)}  (NDJSON, schema konnect-audit/v1)`);
  out.push(`  quarantine  ${show(paths.dataDir)}  list it: konnect-audit quarantine list --data-dir ${show(paths.dataDir)}`);
  const first = report.events[0];
  if (first !== undefined) {
    out.push('', `First normalized event (${show(paths.events)}, line 1):`, JSON.stringify(JSON.parse(first), null, 2));
  }
  return `${out.join('\n')}\n`;
}

function signatureStatusOf(line: string): string | undefined {
  try {
    return (JSON.parse(line) as { signature?: { status?: string } }).signature?.status;
  } catch {
    return undefined;
  }
}
