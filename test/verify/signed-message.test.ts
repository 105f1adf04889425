import { describe, expect, it } from 'vitest';
import { scanJsonLine } from '../../src/json/index.js';
import { isLineError } from '../../src/lines/parse-line.js';
import type { LineView } from '../../src/lines/types.js';
import { encodeBase64url, extractSignature, signedMessage } from '../../src/verify/index.js';

const SIG = encodeBase64url(Uint8Array.from({ length: 64 }, (_, i) => i));

function jsonView(buf: Buffer, start = 0, end = buf.length): LineView {
  const view = scanJsonLine(buf, start, end);
  if (isLineError(view)) throw new Error(view.message);
  return view;
}

/** A hand-made view with only the spans signedMessage reads (the CEF tokenizer fills the same fields). */
function spans(text: string, cut: [number, number] | undefined): Pick<LineView, 'buf' | 'start' | 'end' | 'cutStart' | 'cutEnd'> {
  const buf = Buffer.from(text);
  return { buf, start: 0, end: buf.length, cutStart: cut?.[0] ?? -1, cutEnd: cut?.[1] ?? -1 };
}

describe('signedMessage (SPEC 3: the exact signed bytes)', () => {
  it('CEF-shaped: the cut reaches the end of the line, so the result is a view into the batch buffer (no copy)', () => {
    const line = `2025-06-23T14:28:47Z konghq.com CEF:0|KongInc|Dev-Portal|1.0|A|B|0|rt=1 user_agent= sig=${SIG}`;
    const cutStart = line.indexOf(' sig=');
    const view = spans(line, [cutStart, line.length]);
    const message = signedMessage(view);
    expect(Buffer.from(message).toString()).toBe(line.slice(0, cutStart));
    expect(message.buffer).toBe(view.buf.buffer);
  });

  it('JSON with sig last: one copy without the member and its preceding comma', () => {
    const buf = Buffer.from(`{"a":1,"sig":"${SIG}"}`);
    const message = signedMessage(jsonView(buf));
    expect(Buffer.from(message).toString()).toBe('{"a":1}');
    buf[1] = 0x41;
    expect(Buffer.from(message).toString()).toBe('{"a":1}');
  });

  it('a line in the middle of a batch: offsets are absolute, neighbours are not included', () => {
    const buf = Buffer.from(`{"x":0}\n{"sig":"${SIG}","a":1}\n{"y":2}\n`);
    const start = buf.indexOf('\n') + 1;
    const end = buf.indexOf('\n', start);
    expect(Buffer.from(signedMessage(jsonView(buf, start, end))).toString()).toBe('{"a":1}');
  });

  it('no sig: the whole line, as a view', () => {
    const view = spans('CEF:0|a|b|c|d|e|f| rt=1', undefined);
    expect(Buffer.from(signedMessage(view)).toString()).toBe('CEF:0|a|b|c|d|e|f| rt=1');
  });

  it('the cut at the start of the line: a view of the rest', () => {
    expect(Buffer.from(signedMessage(spans('sig=x rest', [0, 6]))).toString()).toBe('rest');
  });

  it('raw bytes, never re-encoded: invalid UTF-8 and CRs outside the cut are kept', () => {
    const buf = Buffer.concat([Buffer.from('CEF:0|\r|'), Buffer.from([0xff, 0xfe]), Buffer.from(` sig=${SIG}`)]);
    const message = signedMessage({ buf, start: 0, end: buf.length, cutStart: 10, cutEnd: buf.length });
    expect(Buffer.from(message)).toEqual(buf.subarray(0, 10));
  });
});

describe('extractSignature', () => {
  it.each([
    ['no sig member', '{"a":1}', 'missing'],
    ['an empty sig', '{"a":1,"sig":""}', 'malformed'],
    ['a sig that is a number', '{"a":1,"sig":42}', 'malformed'],
    ['a sig with padding', `{"a":1,"sig":"${SIG}=="}`, 'malformed'],
    ['a sig one character short', `{"a":1,"sig":"${SIG.slice(1)}"}`, 'malformed'],
    ['a sig written with a JSON escape', `{"a":1,"sig":"\\u0041${SIG.slice(1)}"}`, 'malformed'],
    ['a well-formed sig', `{"a":1,"sig":"${SIG}"}`, 'ok'],
  ])('%s -> %s', (_quirk, line, status) => {
    expect(extractSignature(jsonView(Buffer.from(line))).status).toBe(status);
  });

  it('ok: the item holds the signed bytes and the 64 decoded signature bytes', () => {
    const extracted = extractSignature(jsonView(Buffer.from(`{"sig":"${SIG}","a":"b"}`)));
    if (extracted.status !== 'ok') throw new Error(extracted.status);
    expect(Buffer.from(extracted.item.message).toString()).toBe('{"a":"b"}');
    expect(Array.from(extracted.item.signature)).toEqual(Array.from({ length: 64 }, (_, i) => i));
  });
});
