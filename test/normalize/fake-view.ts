/**
 * A minimal LineView over a whole line, for unit tests of normalize/ that
 * must not depend on the CEF tokenizer or the JSON scanner.
 */
import type { CefHeader, FieldKind, LineFormat, LinePrefix, LineView } from '../../src/lines/types.js';

export interface FakeLine {
  readonly format?: LineFormat;
  readonly raw: string;
  readonly header?: Partial<CefHeader>;
  readonly fields?: Record<string, string>;
  /** How fields were written (default `string`), e.g. `{ actor_id: 'null' }` for a JSON null. */
  readonly kinds?: Record<string, FieldKind>;
  readonly prefix?: LinePrefix;
  /** The sig text; its span is located in `raw`. */
  readonly sig?: string;
  /** CEF text before the first key (see LineView.extensionPreamble). */
  readonly preamble?: string;
  readonly duplicateKeys?: number;
}

const emptyHeader: CefHeader = { version: '0', vendor: 'KongInc', product: 'Konnect', product_version: '1.0', event_class_id: '', name: '', severity: '0' };

export function fakeView(line: FakeLine): LineView {
  // Pad with bytes on both sides so that offsets are not trivially 0..length.
  const lead = Buffer.from('xx\n');
  const body = Buffer.from(line.raw, 'utf8');
  const buf = new Uint8Array(Buffer.concat([lead, body, Buffer.from('\nyy')]));
  const start = lead.length;
  const end = start + body.length;
  let sigStart = -1;
  let sigEnd = -1;
  if (line.sig !== undefined) {
    const at = body.lastIndexOf(Buffer.from(line.sig, 'utf8'));
    if (at < 0) throw new Error('sig text not in raw');
    sigStart = start + at;
    sigEnd = sigStart + Buffer.byteLength(line.sig);
  }
  const header = { ...emptyHeader, ...line.header };
  const fields = line.fields ?? {};
  return {
    format: line.format ?? 'cef',
    buf,
    start,
    end,
    sigStart,
    sigEnd,
    cutStart: sigStart,
    cutEnd: sigEnd,
    duplicateKeys: line.duplicateKeys ?? 0,
    header: () => header,
    field: (name) => (Object.hasOwn(fields, name) ? fields[name] : undefined),
    fields: () => ({ ...fields }),
    fieldKind: (name) => (Object.hasOwn(fields, name) ? (line.kinds?.[name] ?? 'string') : undefined),
    // Decoded from the buffer, as the line parsers do.
    rawText: () => Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString('utf8', start, end),
    prefix: () => line.prefix ?? { text: '' },
    extensionPreamble: () => line.preamble,
  };
}
