import { describe, expect, it } from 'vitest';
import { detectInputKind, isHeadDecisive } from '../../src/audit/detect.js';
import type { InputKind } from '../../src/audit/input-kinds.js';
import { cefUnsigned, jsonUnsigned, makeKey, signCef, signJson } from './helpers.js';

const key = makeKey('k1');
const cef = signCef(cefUnsigned(1), key);
const json = signJson(jsonUnsigned(1), key);
const ndjson = JSON.stringify({ schema: 'konnect-audit/v1', id: 'x', format: 'json', raw: json });
const splunkLine = JSON.stringify({ preview: false, offset: 0, result: { _time: '2025-06-23T14:28:47.000+00:00', host: 'h', _raw: cef } });
const sumoMap = JSON.stringify({ map: { _messagetime: '1750688927556', _raw: cef, _sourcecategory: 'konnect' } });
const sumoPage = `{\n  "fields": [{"name": "_raw", "fieldType": "string", "keyField": false}],\n  "messages": [\n    {\n      "map": {\n        "_raw": ${JSON.stringify(cef)}\n      }\n    }\n  ]\n}\n`;
const splunkResults = `{\n  "preview": false,\n  "results": [\n    {"_raw": ${JSON.stringify(cef)}, "_time": "1"}\n  ]\n}\n`;

const rows: readonly (readonly [string, string, string, InputKind])[] = [
  ['a raw CEF line', 'a.log', `${cef}\n${cef}\n`, 'raw'],
  ['a raw Konnect JSON line (a JSON object with sig and event_class_id, no schema) is raw, not NDJSON', 'a.log', `${json}\n`, 'raw'],
  ['a raw JSON line whose only line is cut short by the head', 'a.log', json.slice(0, 100), 'raw'],
  ['a raw CEF line after blank lines and a BOM', 'a.log', `\ufeff\n\n${cef}\n`, 'raw'],
  ['NDJSON of normalized events (schema konnect-audit/v1 and raw)', 'events.ndjson', `${ndjson}\n`, 'ndjson'],
  ['a Splunk export line (preview, offset, result._raw)', 'export.json', `${splunkLine}\n`, 'splunk-json'],
  ['a Splunk results document, pretty-printed', 'export.json', splunkResults, 'splunk-json'],
  ['a Splunk result row with a flat _raw and _time', 'x', `${JSON.stringify({ _raw: cef, _time: '1', _cd: '1:2' })}\n`, 'splunk-json'],
  ['a Sumo Logic message ({"map":{..."_raw"}}) per line', 'sumo.json', `${sumoMap}\n`, 'sumo-json'],
  ['a Sumo Logic flat message with _messagetime', 'x', `${JSON.stringify({ _messagetime: '1', _raw: cef })}\n`, 'sumo-json'],
  ['a Sumo Logic Search Job page, pretty-printed', 'page.json', sumoPage, 'sumo-json'],
  ['a Splunk CSV export (_raw among Splunk fields)', 'export.csv', `"_serial","_time","source","_raw"\n"0","1",x,"${cef}"\n`, 'splunk-csv'],
  ['a Splunk CSV export with a lone _raw column', 'x', `_raw\n"${cef}"\n`, 'splunk-csv'],
  ['a Sumo Logic CSV export (_messagetime, _raw)', 'sumo.csv', `"_messagetime","_raw","_sourcecategory"\n`, 'sumo-csv'],
  ['a Sumo Logic data-forwarding CSV (message column)', 'x.csv', 'messageId,sourceName,sourceHost,sourceCategory,messageTime,receiptTime,sourceId,collectorId,count,format,view,encoding,message\n', 'sumo-csv'],
  ['a Sumo Logic "Display Fields" CSV (Time, Message)', 'x', '"Time","Message"\n', 'sumo-csv'],
  ['a CSV header without any raw column is still CSV (the reader then fails clearly)', 'x', 'time,host,level\n1,2,3\n', 'splunk-csv'],
  ['a .csv name with a one-column header', 'audit.csv', 'event\nx\n', 'splunk-csv'],
  ['a JSON object with another schema is raw', 'x', `${JSON.stringify({ schema: 'other/v2', raw: 'x' })}\n`, 'raw'],
  ['an empty input', 'x', '', 'raw'],
];

describe('detectInputKind', () => {
  it.each(rows)('%s', (_name, file, text, kind) => {
    expect(detectInputKind(Buffer.from(text), file)).toBe(kind);
  });

  it('decides on the first line: a Splunk line after raw lines does not make the file an export', () => {
    expect(detectInputKind(Buffer.from(`${cef}\n${splunkLine}\n`), 'x')).toBe('raw');
  });
});

describe('isHeadDecisive (when detection may stop reading the head)', () => {
  it.each([
    ['a complete CEF line', `${cef}\n`, true],
    ['a CEF line not yet ended', cef, false],
    ['blank lines only', '\n\n', false],
    ['a complete JSON line', `${json}\n`, true],
    ['the first line of a pretty-printed page, nothing more yet', '{\n', false],
    ['a pretty-printed page once its members show', '{\n  "fields": [],\n  "messages": [ { "map": {', true],
    ['a CSV header', '_time,_raw\n', true],
  ])('%s: %s', (_name, text, decisive) => {
    expect(isHeadDecisive(Buffer.from(text))).toBe(decisive);
  });
});
