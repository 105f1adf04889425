/**
 * @module lines/types
 * The contract between the line parsers (cef/, json/) and the stages after
 * them (verify/, normalize/). Both the CEF tokenizer's reusable token
 * structure and the JSON scanner's result implement `LineView`: a view over
 * the bytes of one line inside the batch buffer. Offsets are absolute byte
 * offsets into `buf`, half-open `[start, end)`.
 *
 * A view may be a reusable structure that the next line overwrites: read what
 * you need (spans, fields) before parsing the next line.
 */
import type { ErrorCode } from '../errors/index.js';

/**
 * `cps` is Konnect's third format (SPEC 2; not documented publicly): JSON
 * lines wrapped as `{"event":{...}}`, read from the wrapped object.
 */
export type LineFormat = 'cef' | 'json' | 'cps';

/**
 * How a field's value was written. `fields` hold the exact source text (SPEC
 * 6), so a JSON `null` and the JSON string `"null"` read the same there; this
 * tells them apart. Every CEF value is `string`.
 */
export type FieldKind = 'string' | 'number' | 'boolean' | 'null' | 'object' | 'array';

/** The 7 CEF header fields (for JSON lines: from cef_version, event_vendor, ...). */
export interface CefHeader {
  readonly version: string;
  readonly vendor: string;
  readonly product: string;
  readonly product_version: string;
  readonly event_class_id: string;
  readonly name: string;
  readonly severity: string;
}

/** What came before `CEF:` (the syslog-ish prefix); JSON lines have none. */
export interface LinePrefix {
  /** The prefix text verbatim (it is part of the signed bytes). */
  readonly text: string;
  /** A recognized leading ISO-8601 or RFC 3164 `Mmm dd hh:mm:ss` timestamp, verbatim. */
  readonly timestamp?: string;
  /** Which of the two shapes the timestamp has. */
  readonly timestampKind?: 'iso8601' | 'rfc3164';
  /** The host that follows the timestamp (`konghq.com`). */
  readonly host?: string;
}

export interface LineView {
  readonly format: LineFormat;
  /** The batch buffer the offsets point into. */
  readonly buf: Uint8Array;
  /** The line, without its `\n` / `\r\n`. */
  readonly start: number;
  readonly end: number;
  /** The `sig` value's bytes (the base64url text, without quotes); -1 when absent. */
  readonly sigStart: number;
  readonly sigEnd: number;
  /**
   * The bytes to cut out of the line to get the signed message (SPEC 3): for
   * CEF the whitespace before ` sig=`, the key, `=` and the value; for JSON the
   * member and its comma. -1 when there is no sig.
   */
  readonly cutStart: number;
  readonly cutEnd: number;
  /** Duplicate keys seen (last one wins); a warning, not an error. */
  readonly duplicateKeys: number;
  /**
   * CEF: the text between the header and the first `key=`, verbatim (SPEC 4:
   * kept and reported as a warning, never dropped silently); undefined when
   * the extension starts with a key, and always for JSON.
   */
  extensionPreamble(): string | undefined;
  /** Materializes the header (strings made now, not while scanning). */
  header(): CefHeader;
  /** One field by name, unescaped; JSON non-strings as their exact source text. `sig` is not a field. */
  field(name: string): string | undefined;
  /** Every field except `sig`, in source order, unescaped; last duplicate wins. */
  fields(): Record<string, string>;
  /** How field `name` (its last duplicate) was written; `undefined` when absent, and for `sig`. */
  fieldKind(name: string): FieldKind | undefined;
  /**
   * The whole line `[start, end)` as text (UTF-8; U+FFFD for bytes that are
   * not). Decoded once per line and shared with the field reads, so the
   * event's `raw` costs no second decode.
   */
  rawText(): string;
  /** The prefix before `CEF:`; for JSON an empty prefix. */
  prefix(): LinePrefix;
}

/** A line that cannot be parsed at all: a value, never a throw. */
export interface LineError {
  readonly ok: false;
  readonly code: ErrorCode;
  readonly message: string;
  /** Byte offset inside the line where the problem was found (0 when unknown). */
  readonly offset: number;
}

export type ParseOutcome = { readonly ok: true; readonly view: LineView } | LineError;
