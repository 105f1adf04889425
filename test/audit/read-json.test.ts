import { describe, expect, it } from 'vitest';
import { jsonRecordShapes, type JsonInputKind } from '../../src/audit/input-kinds.js';
import { readJsonRecords } from '../../src/audit/read-json.js';
import { isKarError } from '../../src/errors/index.js';
import { chunksOf, collect, poolFor } from './helpers.js';

const cef = 'Apr 14 05:39:08 konghq.com CEF:0|KongInc|Konnect|1.0|konnect|Authz.usage|1|rt=1 user_agent=grpc-node/1.24.11 (linux; chttp2) sig=abc';
const json = '{"action":"read","trace_id":3895213347334635099,"user_agent":"a \\"q\\" é \\u00e9","sig":"x"}';

async function read(kind: JsonInputKind, text: string, size = 4096, maxLineBytes = 10_000) {
  return collect(readJsonRecords('export.json', chunksOf(text, size), jsonRecordShapes[kind], maxLineBytes, poolFor(maxLineBytes)));
}

describe('readJsonRecords', () => {
  it.each([1, 3, 17, 4096])('gives back the exact bytes of raw lines, escapes decoded, at their export line (chunks of %i bytes)', async (size) => {
    const text = [
      JSON.stringify({ preview: false, offset: 0, result: { _time: '1', _raw: cef } }),
      JSON.stringify({ preview: false, offset: 1, result: { _raw: json, host: 'h' } }),
      JSON.stringify({ preview: false, offset: 2, lastrow: true, result: { _raw: 'third' } }),
    ].join('\n');
    expect(await read('splunk-json', text, size)).toEqual([
      { line: 1, text: cef },
      { line: 2, text: json },
      { line: 3, text: 'third' },
    ]);
  });

  it('reads the raw member of NDJSON events, not a nested one', async () => {
    const text = `${JSON.stringify({ schema: 'konnect-audit/v1', fields: { raw: 'not this' }, raw: cef })}\n\n${JSON.stringify({ schema: 'konnect-audit/v1', raw: json })}\n`;
    expect(await read('ndjson', text, 7)).toEqual([
      { line: 1, text: cef },
      { line: 3, text: json },
    ]);
  });

  it.each([5, 4096])('reads a pretty-printed Sumo Logic Search Job page; the line is where each _raw is (chunks of %i bytes)', async (size) => {
    const page = JSON.stringify(
      {
        fields: [{ name: '_raw', fieldType: 'string', keyField: false }],
        messages: [{ map: { _messagetime: '1', _raw: cef } }, { map: { _raw: json, _sourcecategory: 'konnect' } }, { map: { _messagetime: '3' } }],
      },
      null,
      2,
    );
    const lines = page.split('\n');
    const lineOf = (needle: string): number => lines.findIndex((l) => l.includes(needle)) + 1;
    expect(await read('sumo-json', page, size)).toEqual([
      { line: lineOf('"_raw": "Apr'), text: cef },
      { line: lineOf('"_raw": "{'), text: json },
      { line: lineOf('"_messagetime": "3"') - 2, problem: 'KAR_ERR_INPUT_RECORD_NO_RAW' },
    ]);
  });

  it('reads Sumo Logic messages one per line ({"map":{...}}) and flat', async () => {
    const text = `${JSON.stringify({ map: { _raw: 'a' } })}\n${JSON.stringify({ _messagetime: '1', _raw: 'b' })}\n`;
    expect(await read('sumo-json', text)).toEqual([
      { line: 1, text: 'a' },
      { line: 2, text: 'b' },
    ]);
  });

  it('reads a Splunk results document and a top-level array of records', async () => {
    const doc = `{"preview":false,"results":[\n{"_raw":"a"},\n{"_raw":"b"}\n]}\n`;
    const array = `[\n{"result":{"_raw":"c"}},\n{"result":{"_raw":"d"}}\n]\n`;
    expect(await read('splunk-json', doc)).toEqual([
      { line: 2, text: 'a' },
      { line: 3, text: 'b' },
    ]);
    expect(await read('splunk-json', array)).toEqual([
      { line: 2, text: 'c' },
      { line: 3, text: 'd' },
    ]);
  });

  it('skips Splunk export metadata lines, but counts a result without _raw', async () => {
    const text = `{"preview":false,"messages":[{"type":"INFO","text":"x"}]}\n{"preview":false,"result":{"host":"h"}}\n{"lastrow":true}\n`;
    expect(await read('splunk-json', text)).toEqual([{ line: 2, problem: 'KAR_ERR_INPUT_RECORD_NO_RAW' }]);
  });

  it('counts a broken line as unparseable and goes on at the next line', async () => {
    const text = `{"raw":"a"}\n{"raw": ]\n{"raw":"b"} x\n{"raw":"c"}\n`;
    expect(await read('ndjson', text, 3)).toEqual([
      { line: 1, text: 'a' },
      { line: 2, problem: 'KAR_ERR_JSON_SYNTAX' },
      { line: 3, text: 'b' },
      { line: 3, problem: 'KAR_ERR_JSON_SYNTAX' },
      { line: 4, text: 'c' },
    ]);
  });

  it('counts a line cut inside a string (a truncated record) and reads the next one', async () => {
    const text = `{"raw":"a"}\n{"raw":"cut her\n{"raw":"c"}\n{"raw":"last, cut`;
    expect(await read('ndjson', text)).toEqual([
      { line: 1, text: 'a' },
      { line: 2, problem: 'KAR_ERR_JSON_SYNTAX' },
      { line: 3, text: 'c' },
      { line: 4, problem: 'KAR_ERR_JSON_SYNTAX' },
    ]);
  });

  it('fails with KAR_ERR_INPUT_FORMAT on broken JSON inside a multi-line document', async () => {
    const error = await read('sumo-json', '{\n  "messages": [\n    {"map": {"_raw": "a"}},\n    {"map": ]\n  ]\n}\n').catch((e: unknown) => e);
    expect(isKarError(error) && error.code).toBe('KAR_ERR_INPUT_FORMAT');
    expect(isKarError(error) && error.message).toMatch(/^export\.json:4: /);
  });

  it('reports a raw line over the limit without keeping it', async () => {
    expect(await read('ndjson', `{"raw":"${'x'.repeat(500)}"}\n{"raw":"ok"}\n`, 64, 100)).toEqual([
      { line: 1, problem: 'KAR_ERR_LINE_TOO_LONG' },
      { line: 2, text: 'ok' },
    ]);
  });

  it('uses a different member when told (--raw-column)', async () => {
    const records = await collect(readJsonRecords('e', chunksOf('{"event":"a","raw":"b"}\n', 4096), { ...jsonRecordShapes.ndjson, rawKeys: ['event'] }, 100, poolFor(100)));
    expect(records).toEqual([{ line: 1, text: 'a' }]);
  });
});
