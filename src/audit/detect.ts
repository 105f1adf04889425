/**
 * @module audit/detect
 * Which kind of file an input is, from its first bytes (after gunzip) and its
 * name. Pure: the reader hands over the head it peeked.
 *
 * The trap: a raw Konnect JSON line is a JSON object too. It is `raw` unless
 * it has the markers of an export: `"schema":"konnect-audit/v1"` (our NDJSON),
 * `result` / `preview` (Splunk), `map` / `_messagetime` (Sumo Logic), or a
 * top-level `_raw`. Konnect lines carry none of these members (SPEC 2).
 */
import { SCHEMA_V1 } from '../normalize/event.js';
import { csvRawColumns, type InputKind } from './input-kinds.js';

const LF = 0x0a;
const BOM = [0xef, 0xbb, 0xbf] as const;
/** Splunk's internal fields, present in its CSV and JSON search results. */
const SPLUNK_FIELDS = ['_time', '_cd', '_indextime', '_serial', '_bkt', '_si', 'splunk_server', '_sourcetype'];
/** Sumo Logic's internal fields (Search Job API) and data-forwarding CSV columns. */
const SUMO_FIELDS = ['_messagetime', '_receipttime', '_messageid', '_messagecount', '_sourcecategory', '_collector', '_collectorid', '_blockid', 'messageid', 'messagetime', 'receipttime'];
/** A CSV header cell: a field name, never a log line (a CEF line has `|`, `:` and spaces in every cell). */
const HEADER_CELL = /^[A-Za-z0-9_][A-Za-z0-9_.\- ]*$/;

/** The first line of `head` as text (without BOM and line end), and whether it is complete. */
function firstLine(head: Uint8Array): { text: string; rest: string } {
  let start = 0;
  if (head[0] === BOM[0] && head[1] === BOM[1] && head[2] === BOM[2]) start = 3;
  const text = Buffer.from(head.buffer, head.byteOffset, head.byteLength).toString('utf8', start);
  // Blank lines before the first record are skipped by every reader.
  const trimmed = text.replace(/^[\s]+/, '');
  const nl = trimmed.indexOf(String.fromCharCode(LF));
  const line = (nl === -1 ? trimmed : trimmed.slice(0, nl)).replace(/\r$/, '');
  return { text: line, rest: trimmed };
}

function hasAny(record: Record<string, unknown>, names: readonly string[]): boolean {
  return names.some((name) => Object.hasOwn(record, name));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function kindOfJsonObject(record: Record<string, unknown>): InputKind {
  if (record['schema'] === SCHEMA_V1) return 'ndjson';
  if (isObject(record['result']) || typeof record['preview'] === 'boolean' || Array.isArray(record['results'])) return 'splunk-json';
  if (isObject(record['map']) || Array.isArray(record['messages'])) return 'sumo-json';
  if (typeof record['_raw'] === 'string') return hasAny(record, SUMO_FIELDS) && !hasAny(record, SPLUNK_FIELDS) ? 'sumo-json' : 'splunk-json';
  return 'raw';
}

/** For a document whose first line is not a whole JSON value (pretty-printed, or one array). */
function kindOfJsonDocument(text: string): InputKind {
  if (/"schema"\s*:\s*"konnect-audit\/v1"/.test(text)) return 'ndjson';
  if (/"map"\s*:\s*\{/.test(text) || /"_messagetime"\s*:/.test(text) || /"messages"\s*:\s*\[\s*\{\s*"map"/.test(text)) return 'sumo-json';
  if (/"result"\s*:\s*\{/.test(text) || /"results"\s*:\s*\[/.test(text) || /"_raw"\s*:/.test(text)) return 'splunk-json';
  return 'raw';
}

/** Splits one CSV line into cells (RFC 4180 quoting, no line breaks inside: it is a header). */
export function splitCsvHeader(line: string): string[] {
  const cells: string[] = [];
  let i = 0;
  while (i <= line.length) {
    let cell = '';
    if (line[i] === '"') {
      i++;
      while (i < line.length) {
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            cell += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        cell += line[i++];
      }
      while (i < line.length && line[i] !== ',') cell += line[i++];
    } else {
      const comma = line.indexOf(',', i);
      const end = comma === -1 ? line.length : comma;
      cell = line.slice(i, end);
      i = end;
    }
    cells.push(cell.trim());
    i++;
  }
  return cells;
}

function kindOfCsvHeader(cells: readonly string[]): InputKind {
  const lower = cells.map((cell) => cell.toLowerCase());
  const raw = csvRawColumns.find((name) => lower.includes(name));
  if (raw === 'message' || (hasAnyCell(lower, SUMO_FIELDS) && !hasAnyCell(lower, SPLUNK_FIELDS))) return 'sumo-csv';
  return 'splunk-csv';
}

function hasAnyCell(cells: readonly string[], names: readonly string[]): boolean {
  return names.some((name) => cells.includes(name));
}

/**
 * Whether `head` is enough to decide the kind: its first line is complete and
 * tells (a pretty-printed JSON document needs the lines that show its
 * members). Lets the reader start on a slow stdin without waiting for a full
 * head (a `tail -f` piped into `verify -`).
 */
export function isHeadDecisive(head: Uint8Array): boolean {
  const { text: line, rest } = firstLine(head);
  if (rest.length === line.length) return false; // no line end yet
  if (line[0] !== '{' && line[0] !== '[') return true;
  try {
    if (line[0] === '{' && isObject(JSON.parse(line))) return true;
  } catch {
    // a multi-line document: decisive once its members show
  }
  return kindOfJsonDocument(rest) !== 'raw';
}

/**
 * The kind of an input from its first bytes (decompressed) and its name.
 * A `.csv` / `.csv.gz` name, or a first line that is a header of field names
 * (two or more, or a lone `_raw`), makes a CSV kind; its raw column is
 * checked by the CSV reader, which fails with KAR_ERR_INPUT_NO_RAW_COLUMN.
 */
export function detectInputKind(head: Uint8Array, name = ''): InputKind {
  const { text: line, rest } = firstLine(head);
  const first = line[0];
  if (first === '{') {
    try {
      const value: unknown = JSON.parse(line);
      if (isObject(value)) return kindOfJsonObject(value);
    } catch {
      // Not one JSON value on the first line: a pretty-printed export, or a broken raw line.
    }
    return kindOfJsonDocument(rest);
  }
  if (first === '[') return kindOfJsonDocument(rest);
  const cells = splitCsvHeader(line);
  const looksLikeHeader = cells.every((cell) => HEADER_CELL.test(cell)) && (cells.length >= 2 || cells[0]?.toLowerCase() === '_raw');
  if (looksLikeHeader || /\.csv(\.gz)?$/i.test(name)) return kindOfCsvHeader(cells);
  return 'raw';
}
