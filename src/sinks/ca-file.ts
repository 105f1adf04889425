/**
 * @module sinks/ca-file
 * Reads a sink's CA bundle at start() (I/O belongs there, not in create()).
 * A missing or non-PEM file is a configuration error: the process refuses to
 * start rather than fail every delivery later.
 */
import { readFile } from 'node:fs/promises';
import { KarError } from '../errors/index.js';

export async function readCaFile(path: string, sinkName: string): Promise<Buffer> {
  let pem: Buffer;
  try {
    pem = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new KarError('KAR_ERR_CONFIG_INVALID', `sink "${sinkName}": cannot read the CA bundle ${path} (${code})`, {
      details: { sink: sinkName, path },
      cause: error,
    });
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new KarError('KAR_ERR_CONFIG_INVALID', `sink "${sinkName}": the CA bundle ${path} holds no PEM certificate`, {
      details: { sink: sinkName, path },
    });
  }
  return pem;
}
