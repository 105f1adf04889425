/**
 * @module bench/support/handshake-probe
 * What a new TLS connection costs the receiver: CPU time of the `serve`
 * process per connection (TLS handshake, one GET /healthz, close), with a
 * full handshake and with TLS session resumption. The answer says how much
 * keep-alive saves when Konnect posts on a connection it already has.
 *
 *   tsx bench/support/handshake-probe.ts [connections=200]
 */
import { connect } from 'node:tls';
import { createBenchEnvironment, startReceiverProcess, type ReceiverProcess } from './receiver-process.js';

function handshake(port: number, session: Buffer | undefined): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    let next: Buffer | undefined;
    // Loopback, to the bench's own self-signed receiver.
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...(session === undefined ? {} : { session }) });
    socket.on('session', (s: Buffer) => {
      next = s;
    });
    socket.once('secureConnect', () => socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n'));
    socket.on('data', () => undefined);
    socket.once('end', () => {
      socket.destroy();
      resolve(next);
    });
    socket.once('error', reject);
  });
}

export async function probeHandshakes(receiver: ReceiverProcess, connections: number, resume: boolean): Promise<{ cpuMicrosPerConnection: number; resumed: boolean }> {
  const port = Number(new URL(receiver.url).port);
  let session = resume ? await handshake(port, undefined) : undefined;
  const before = await receiver.cpuSeconds();
  for (let i = 0; i < connections; i++) {
    const next = await handshake(port, session);
    if (resume && next !== undefined) session = next;
  }
  return { cpuMicrosPerConnection: (((await receiver.cpuSeconds()) - before) * 1e6) / connections, resumed: resume };
}

if (process.argv[1] !== undefined && import.meta.filename === process.argv[1]) {
  const connections = Number(process.argv[2] ?? 200);
  const env = await createBenchEnvironment();
  const receiver = await startReceiverProcess(env, { name: 'handshakes' });
  try {
    const rows = [];
    for (const resume of [false, true, false, true]) rows.push(await probeHandshakes(receiver, connections, resume));
    for (const r of rows) process.stderr.write(`${r.resumed ? 'resumed' : 'full   '} handshake + GET /healthz: ${r.cpuMicrosPerConnection.toFixed(0)} µs of receiver CPU per connection\n`);
    process.stdout.write(`${JSON.stringify({ probe: 'handshakes', connections, rows })}\n`);
  } finally {
    await receiver.stop();
    await env.remove();
  }
}
