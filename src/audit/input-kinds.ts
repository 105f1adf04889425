/**
 * @module audit/input-kinds
 * The kinds of file `konnect-audit verify` reads, and the names each kind
 * uses for the raw Konnect line. One table, so that detection, the readers,
 * the `--input-format` flag and docs/VERIFY.md agree.
 */

export const inputKinds = ['raw', 'ndjson', 'splunk-json', 'splunk-csv', 'sumo-csv', 'sumo-json'] as const;
export type InputKind = (typeof inputKinds)[number];

export function isInputKind(value: string): value is InputKind {
  return (inputKinds as readonly string[]).includes(value);
}

export type JsonInputKind = 'ndjson' | 'splunk-json' | 'sumo-json';
export type CsvInputKind = 'splunk-csv' | 'sumo-csv';

/**
 * CSV header names of the raw message, most specific first, matched without
 * regard to case. `_raw`: Splunk search exports and Sumo Logic's "Export (All
 * Fields)" (Sumo names the raw message `_raw` in its search results, see its
 * Search Job API docs). `message`: Sumo Logic data-forwarding CSV files
 * (`messageId,...,encoding,message`) and "Export (Display Fields)" files,
 * which show the column as `Message`. `raw` / `_raw_message`: our own NDJSON
 * and hand-made tables. `--raw-column` overrides the list.
 */
export const csvRawColumns = ['_raw', 'raw', '_raw_message', 'message'] as const;

/** Where a JSON record keeps the raw line, per kind. */
export interface JsonRecordShape {
  /** Member names holding the raw line, in the record or in one of `wrappers`. */
  readonly rawKeys: readonly string[];
  /** Members that wrap the event inside a record: Splunk `result`, Sumo `map`. */
  readonly wrappers: readonly string[];
  /**
   * Arrays of records inside a whole-document export: Splunk's
   * `{"results":[...]}`, Sumo Logic's Search Job page `{"fields":[...],"messages":[{"map":{...}}]}`.
   */
  readonly recordArrays: readonly string[];
  /**
   * A top-level object lacking the raw member is a record without its line
   * only when it has one of these members (else it is export metadata, such
   * as Splunk's `{"preview":false,"lastrow":true}`); empty = always a record.
   */
  readonly markers: readonly string[];
}

export const jsonRecordShapes: Readonly<Record<JsonInputKind, JsonRecordShape>> = {
  // SPEC 6: a normalized event keeps the exact original line in `raw`.
  ndjson: { rawKeys: ['raw'], wrappers: [], recordArrays: [], markers: [] },
  // Splunk export endpoint, output_mode=json: {"preview":false,"offset":0,"result":{...,"_raw":"..."}} per line.
  'splunk-json': { rawKeys: ['_raw'], wrappers: ['result'], recordArrays: ['results'], markers: ['result', '_raw'] },
  // Sumo Logic Search Job API: {"map":{"_raw":"...","_messagetime":"..."}} per message.
  'sumo-json': { rawKeys: ['_raw'], wrappers: ['map'], recordArrays: ['messages'], markers: ['map', '_raw'] },
};
