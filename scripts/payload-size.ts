/**
 * Bytes per event of each sink payload (docs/SIEM.md, "What each payload
 * costs"), on the signed fixture lines:
 *
 *   npx tsx scripts/payload-size.ts            # markdown table
 *   npx tsx scripts/payload-size.ts --json     # the numbers
 *   npx tsx scripts/payload-size.ts --cpu      # + CPU µs per event to make each payload
 *
 * The lines go through `konnect-audit parse --jwks fixtures/keys/jwks.json`
 * (in process), then each payload is encoded as the sinks send it: NDJSON
 * (file, stdout, http, Sumo Logic) and HEC event objects (Splunk), each batch
 * gzip'd whole (level 6, Node's default, as the sinks do).
 */
import { PassThrough, Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { runCli } from '../src/cli/main.js';
import type { NormalizedEvent } from '../src/normalize/event.js';
import type { PayloadSchema } from '../src/payload/index.js';
import { joinLines } from '../src/sinks/ndjson.js';
import { createRecordFormatter } from '../src/sinks/payload.js';
import { encodeHecEvents } from '../src/sinks/splunk-hec/encode.js';
import type { SinkRecord } from '../src/sinks/types.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const FILES = ['fixtures/cef-valid.log', 'fixtures/json-valid.log'];

async function events(): Promise<NormalizedEvent[]> {
  const stdout = new PassThrough();
  const chunks: Buffer[] = [];
  stdout.on('data', (c: Buffer) => chunks.push(c));
  const args = ['parse', '--jwks', 'fixtures/keys/jwks.json', '--received-at', '2025-06-23T14:28:48.001Z', ...FILES];
  const code = await runCli({ argv: args, stdin: Readable.from([]), stdout, stderr: new PassThrough(), env: {}, cwd: root });
  if (code !== 0) throw new Error(`parse exited ${code}`);
  return Buffer.concat(chunks).toString('utf8').trim().split('\n').map((l) => JSON.parse(l) as NormalizedEvent);
}

interface Row {
  readonly payload: string;
  readonly lineBytes: number;
  readonly ndjsonGzipBytes: number;
  readonly hecBytes: number;
  readonly hecGzipBytes: number;
}

function measure(records: readonly SinkRecord[], payload: PayloadSchema, rawData: boolean): Row {
  const format = createRecordFormatter({ payload, rawData });
  const ndjson = joinLines(records.map(format));
  const hec = Buffer.concat(
    encodeHecEvents(records, { host: 'receiver-1', source: 'konnect-audit-receiver', sourcetype: 'konnect:audit', indexedFields: true, fields: {}, payload, format }),
  );
  const per = (bytes: number) => Math.round(bytes / records.length);
  return {
    payload: rawData ? `${payload} + rawData` : payload,
    lineBytes: per(ndjson.length),
    ndjsonGzipBytes: per(gzipSync(ndjson).length),
    hecBytes: per(hec.length),
    hecGzipBytes: per(gzipSync(hec).length),
  };
}

const list = await events();
const records: SinkRecord[] = list.map((event) => ({ id: event.id, json: JSON.stringify(event), event }));
const rows = [measure(records, 'v1', false), measure(records, 'ocsf', false), measure(records, 'ecs', false), measure(records, 'raw', false), measure(records, 'ocsf', true), measure(records, 'ecs', true)];

/**
 * CPU per event to make a payload as a sink does: mapped and serialized from
 * the event object the store's reader hands over (`fromObject`), or with the
 * event parsed from the stored JSON first (a reader without the object). A
 * measurement on a shared machine: compare the rows, not the absolute values.
 */
function cpuMicrosPerEvent(payload: PayloadSchema, rounds: number, fromObject: boolean): number {
  const format = createRecordFormatter({ payload, rawData: false });
  let sink = 0;
  const start = process.cpuUsage();
  for (let round = 0; round < rounds; round++) {
    for (const stored of records) {
      let parsed: NormalizedEvent | undefined = fromObject ? stored.event : undefined;
      const record: SinkRecord = {
        id: '',
        json: stored.json,
        get event() {
          parsed ??= JSON.parse(stored.json) as NormalizedEvent;
          return parsed;
        },
      };
      sink += format(record).length;
    }
  }
  const used = process.cpuUsage(start);
  if (sink === 0) throw new Error('nothing formatted');
  return (used.user + used.system) / (rounds * records.length);
}

if (process.argv.includes('--cpu')) {
  const payloads = ['v1', 'ocsf', 'ecs', 'raw'] as const;
  for (const payload of payloads) cpuMicrosPerEvent(payload, 200, false);
  const micros = (payload: PayloadSchema, fromObject: boolean) => Number(cpuMicrosPerEvent(payload, 2000, fromObject).toFixed(2));
  const cpu = payloads.map((payload) => ({ payload, fromObject: micros(payload, true), parsedFromJson: micros(payload, false) }));
  console.log(JSON.stringify({ events: list.length, rounds: 2000, cpu }));
} else if (process.argv.includes('--json')) {
  console.log(JSON.stringify({ events: list.length, files: FILES, rows }, null, 2));
} else {
  const v1 = rows[0] as Row;
  const pct = (a: number, b: number) => `${Math.round((100 * a) / b)}%`;
  console.log(`${list.length} events (${FILES.join(', ')}); bytes per event. Splunk and Sumo Logic licence the ingested event, uncompressed; gzip is what crosses the network (each request's body gzip'd whole).\n`);
  console.log('| payload | ingested (licensed) | vs v1 | NDJSON gzip (http, Sumo Logic) | HEC request gzip (Splunk) |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const r of rows) console.log(`| \`${r.payload}\` | ${r.lineBytes - 1} | ${pct(r.lineBytes - 1, v1.lineBytes - 1)} | ${r.ndjsonGzipBytes} | ${r.hecGzipBytes} |`);
}
