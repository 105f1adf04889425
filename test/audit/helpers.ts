/**
 * Test keys and signed Konnect lines, made here with node:crypto (not with
 * src/verify), so the audit is checked against an independent signer that
 * follows SPEC 3 to the letter.
 */
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBufferPool, type BufferPool } from '../../src/audit/buffer-pool.js';
import type { InputKind } from '../../src/audit/input-kinds.js';
import { batchBufferBytes } from '../../src/audit/read-raw.js';
import type { RecordBatch } from '../../src/audit/record-batch.js';

export interface TestKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly jwk: { kty: 'OKP'; crv: 'Ed25519'; alg: 'EdDSA'; kid: string; x: string };
}

export function makeKey(kid: string): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const x = publicKey.export({ format: 'jwk' }).x as string;
  return { kid, privateKey, jwk: { kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', kid, x } };
}

export function tempDir(prefix = 'h5-verify-audit-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Writes a JWKS of the keys' public halves; returns its path. */
export function writeJwks(dir: string, name: string, keys: readonly TestKey[]): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify({ keys: keys.map((k) => k.jwk) }));
  return path;
}

function signature(message: string, key: TestKey): string {
  return sign(null, Buffer.from(message, 'utf8'), key.privateKey).toString('base64url');
}

/** SPEC 3, CEF: the signed bytes are the line without ` sig=...`; sig goes last. */
export function signCef(unsigned: string, key: TestKey): string {
  return `${unsigned} sig=${signature(unsigned, key)}`;
}

/** SPEC 3, JSON: the signed bytes are the line without `,"sig":"..."`; sig goes before the final `}`. */
export function signJson(unsigned: string, key: TestKey): string {
  const close = unsigned.lastIndexOf('}');
  return `${unsigned.slice(0, close)},"sig":"${signature(unsigned, key)}"${unsigned.slice(close)}`;
}

/** A Konnect-shaped CEF line without its sig (values with spaces, `=` and an empty one, SPEC 2). */
export function cefUnsigned(i: number): string {
  return `2025-06-23T14:28:47Z konghq.com CEF:0|KongInc|Dev-Portal|1.0|AUTHENTICATION_TYPE_BASIC|AUTHENTICATION_OUTCOME_SUCCESS|0|rt=${1750688927556 + i} src=172.71.232.22 request=/api/v2/developer/authenticate?x\\=${i} success=true org_id=org-${i} portal_id=p-1 principal_id=u-${i} trace_id=3360194145499877252 user_agent=`;
}

/** A Konnect-shaped JSON line without its sig (a 64-bit trace_id, SPEC 2). */
export function jsonUnsigned(i: number): string {
  return `{"action":"read","cef_version":"0","event_class_id":"identity","event_product":"Konnect","event_ts":"2023-04-28T20:52:09Z","event_vendor":"KongInc","event_version":"1.0","granted":true,"name":"Authz.identity-provider","org_id":"org-${i}","principal_id":"u-${i}","rt":${1682715129807 + i},"severity":1,"src":"127.0.0.6","trace_id":3895213347334635099,"user_agent":"grpc-go/1.54.0 \\"quoted\\""}`;
}

/** Flips one character of the signed part of a line (a tampered event). */
export function tamper(line: string): string {
  const at = line.indexOf('org-');
  return `${line.slice(0, at)}ORG-${line.slice(at + 4)}`;
}

/** Replaces the sig value with something that is not 64 bytes of base64url. */
export function breakSig(line: string): string {
  return line.replace(/sig=[A-Za-z0-9_-]+/, 'sig=not-a-signature').replace(/"sig":"[A-Za-z0-9_-]+"/, '"sig":"short"');
}

/** Removes the sig. */
export function dropSig(line: string): string {
  return line.replace(/ sig=[A-Za-z0-9_-]+$/, '').replace(/,"sig":"[A-Za-z0-9_-]+"/, '');
}

/** CSV field quoting (RFC 4180). */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** A batch-buffer pool sized for `maxLineBytes`, as runAudit makes it. */
export function poolFor(maxLineBytes: number): BufferPool {
  return createBufferPool(batchBufferBytes(maxLineBytes), 4);
}

/** Feeds `text` in chunks of `size` bytes (to cross every boundary a reader must handle). */
export async function* chunksOf(text: string | Buffer, size: number): AsyncGenerator<Buffer> {
  const buf = typeof text === 'string' ? Buffer.from(text) : text;
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

export interface FlatRecord {
  readonly line: number;
  readonly text?: string;
  readonly problem?: string;
}

/** All records of a reader, flattened: the raw line text, or the problem's code. */
export async function collect(batches: AsyncIterable<RecordBatch>): Promise<FlatRecord[]> {
  const out: FlatRecord[] = [];
  for await (const batch of batches) {
    batch.starts.forEach((start, i) => {
      const line = batch.lines[i] as number;
      const problem = batch.problems.get(i);
      out.push(problem === undefined ? { line, text: batch.buf.toString('utf8', start, batch.ends[i]) } : { line, problem: problem.code });
    });
  }
  return out;
}

/** An export of `raws` in each input kind, and the line of each record in it. */
export function exportAs(kind: InputKind, raws: readonly string[]): { text: string; lines: number[] } {
  switch (kind) {
    case 'raw':
      return { text: `${raws.join('\n')}\n`, lines: raws.map((_, i) => i + 1) };
    case 'ndjson':
      return {
        text: raws.map((raw, i) => `${JSON.stringify({ schema: 'konnect-audit/v1', id: `id-${i}`, format: raw.startsWith('{') ? 'json' : 'cef', signature: { status: 'unverified' }, raw })}\n`).join(''),
        lines: raws.map((_, i) => i + 1),
      };
    case 'splunk-json':
      return {
        text: raws.map((raw, i) => `${JSON.stringify({ preview: false, offset: i, result: { _bkt: 'main~1', _cd: `1:${i}`, _raw: raw, _time: '2025-06-23T14:28:47.000+00:00', host: 'receiver' } })}\n`).join(''),
        lines: raws.map((_, i) => i + 1),
      };
    case 'splunk-csv':
      return {
        text: `"_serial","_time","_raw","host"\n${raws.map((raw, i) => `"${i}","2025-06-23T14:28:47.000+00:00",${csvField(raw)},receiver\n`).join('')}`,
        lines: raws.map((_, i) => i + 2),
      };
    case 'sumo-csv':
      return {
        text: `"_messagetime","_raw","_sourcecategory"\r\n${raws.map((raw, i) => `"${1750688927556 + i}",${csvField(raw)},"konnect/audit"\r\n`).join('')}`,
        lines: raws.map((_, i) => i + 2),
      };
    case 'sumo-json': {
      // A Search Job page as the API returns it, pretty-printed: `_raw` sits on its own line.
      const text = JSON.stringify({ fields: [{ name: '_raw', fieldType: 'string', keyField: false }], messages: raws.map((raw, i) => ({ map: { _messagetime: String(1750688927556 + i), _raw: raw } })) }, null, 2);
      const all = text.split('\n');
      const lines: number[] = [];
      all.forEach((line, i) => {
        if (line.trimStart().startsWith('"_raw"')) lines.push(i + 1);
      });
      return { text: `${text}\n`, lines };
    }
  }
}
