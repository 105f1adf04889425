import { describe, expect, it } from 'vitest';
import { readCsvRecords } from '../../src/audit/read-csv.js';
import { isKarError } from '../../src/errors/index.js';
import { chunksOf, collect, csvField, poolFor } from './helpers.js';

const cef = 'CEF:0|KongInc|Konnect|1.0|konnect|Authz.usage|1|rt=1 msg=a "quoted", value sig=abc';

async function read(text: string, size = 4096, rawColumn?: string) {
  return collect(readCsvRecords('export.csv', chunksOf(text, size), rawColumn === undefined ? { maxLineBytes: 1000 } : { maxLineBytes: 1000, rawColumn }, poolFor(1000)));
}

async function failure(text: string): Promise<{ code: string; message: string }> {
  try {
    await read(text);
  } catch (error) {
    if (isKarError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected a KarError');
}

describe('readCsvRecords', () => {
  it.each([
    ['LF line ends', '\n'],
    ['CRLF line ends', '\r\n'],
  ])('gives the line where each record starts, with multi-line quoted fields (%s)', async (_name, nl) => {
    const text = ['_time,_raw,host', `1,${csvField(cef)},h`, `2,"first${nl}second${nl}third",h`, '', `3,${csvField('a,b')},h`, `4,"x""y",h`].join(nl) + nl;
    for (const size of [1, 5, 4096]) {
      expect(await read(text, size)).toEqual([
        { line: 2, text: cef },
        { line: 3, text: `first${nl}second${nl}third` },
        { line: 7, text: 'a,b' },
        { line: 8, text: 'x"y' },
      ]);
    }
  });

  it.each([
    ['Splunk: _raw among other fields', '"_serial","_time","_raw"\n"0","1","line"\n'],
    ['Sumo Logic export: _raw', '"_messagetime","_raw","_sourcecategory"\n"1","line","c"\n'],
    ['Sumo Logic data forwarding: message, last column', 'messageId,sourceName,encoding,message\n-1,"",UTF8,"line"\n'],
    ['Sumo Logic display fields: Message, any case', '"Time","Message"\n"t","line"\n'],
    ['a BOM before the header', '\ufeff_raw\nline\n'],
  ])('finds the raw column (%s)', async (_name, text) => {
    expect(await read(text)).toEqual([{ line: 2, text: 'line' }]);
  });

  it('uses --raw-column when given', async () => {
    expect(await read('event,other\nline,x\n', 4096, 'EVENT')).toEqual([{ line: 2, text: 'line' }]);
  });

  it('counts a row without a raw value as a problem at its line', async () => {
    expect(await read('_time,_raw\n1\n2,""\n3,ok\n')).toEqual([
      { line: 2, problem: 'KAR_ERR_INPUT_RECORD_NO_RAW' },
      { line: 3, problem: 'KAR_ERR_INPUT_RECORD_NO_RAW' },
      { line: 4, text: 'ok' },
    ]);
  });

  it('fails the input with KAR_ERR_INPUT_NO_RAW_COLUMN when the header has no raw column, naming the file and the columns', async () => {
    const error = await failure('time,host,level\n1,2,3\n');
    expect(error.code).toBe('KAR_ERR_INPUT_NO_RAW_COLUMN');
    expect(error.message).toContain('export.csv');
    expect(error.message).toContain('time, host, level');
  });

  it('fails with KAR_ERR_INPUT_FORMAT and the line of the broken record on a bad quote', async () => {
    const error = await failure('_raw\nok\n"bad"quote\n');
    expect(error).toEqual({ code: 'KAR_ERR_INPUT_FORMAT', message: expect.stringMatching(/^export\.csv:3: not a valid CSV export/) as unknown as string });
  });

  it('stops an unterminated quote at the record size limit instead of buffering the file', async () => {
    const error = await failure(`_raw\n"never closed\n${'z'.repeat(10_000)}\n`);
    expect(error.code).toBe('KAR_ERR_INPUT_FORMAT');
  });
});
