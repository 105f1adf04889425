/**
 * @module sinks/syslog/connection
 * One persistent TCP or TLS connection to the collector, opened on first
 * use, dropped on any error or when the peer closes it, and opened again by
 * the next send. A send resolves once its bytes are handed to the socket
 * (the write callback) — for TLS only after the handshake has verified the
 * peer — and rejects on error or when the write does not complete in time.
 *
 * Plain syslog over TCP has no application-level acknowledgement (RFC 6587):
 * bytes the kernel took may still be lost if the collector dies before
 * reading them. That is the protocol's limit; the docs say so.
 */
import { isIP } from 'node:net';
import net from 'node:net';
import tls from 'node:tls';

export interface SyslogConnectionOptions {
  readonly protocol: 'tcp' | 'tls';
  readonly host: string;
  readonly port: number;
  readonly ca?: Buffer | undefined;
  readonly servername?: string | undefined;
  readonly connectTimeoutMs: number;
  readonly writeTimeoutMs: number;
}

export interface SyslogConnection {
  /** Connects now (used by start() to report reachability early); rejects on failure. */
  connect(): Promise<void>;
  send(bytes: Buffer): Promise<void>;
  isConnected(): boolean;
  close(): Promise<void>;
}

export function createSyslogConnection(options: SyslogConnectionOptions): SyslogConnection {
  let socket: net.Socket | undefined;
  let connecting: Promise<net.Socket> | undefined;
  let closed = false;

  const drop = (s: net.Socket): void => {
    if (socket === s) socket = undefined;
    s.destroy();
  };

  const open = (): Promise<net.Socket> =>
    new Promise<net.Socket>((resolve, reject) => {
      const s =
        options.protocol === 'tls'
          ? tls.connect({
              host: options.host,
              port: options.port,
              ...(options.ca === undefined ? {} : { ca: options.ca }),
              // SNI carries names only (RFC 6066 §3); an IP is still verified against the certificate's IP SANs.
              ...(options.servername !== undefined ? { servername: options.servername } : isIP(options.host) === 0 ? { servername: options.host } : {}),
            })
          : net.connect({ host: options.host, port: options.port });
      const timer = setTimeout(() => s.destroy(new Error(`no connection within ${options.connectTimeoutMs} ms`)), options.connectTimeoutMs);
      const onError = (error: Error): void => {
        clearTimeout(timer);
        s.destroy();
        reject(error);
      };
      s.once('error', onError);
      s.once(options.protocol === 'tls' ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        s.off('error', onError);
        s.setNoDelay(true);
        s.setKeepAlive(true, 60_000);
        s.on('error', () => drop(s));
        s.on('close', () => drop(s));
        // A collector does not talk back; its FIN means it is going away: reconnect on the next send.
        s.on('end', () => drop(s));
        s.on('data', () => undefined);
        resolve(s);
      });
    });

  const connected = async (): Promise<net.Socket> => {
    if (closed) throw new Error('the syslog connection is closed');
    if (socket !== undefined && !socket.destroyed && socket.writable) return socket;
    connecting ??= open().finally(() => {
      connecting = undefined;
    });
    const s = await connecting;
    socket = s;
    return s;
  };

  const write = (s: net.Socket, bytes: Buffer): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      let done = false;
      const finish = (error?: Error): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        s.off('close', onClose);
        if (error === undefined) resolve();
        else {
          drop(s);
          reject(error);
        }
      };
      const onClose = (): void => finish(new Error('the connection closed during the write'));
      const timer = setTimeout(() => finish(new Error(`the write did not complete within ${options.writeTimeoutMs} ms`)), options.writeTimeoutMs);
      s.once('close', onClose);
      s.write(bytes, (error) => finish(error ?? undefined));
    });

  return {
    connect: async () => {
      await connected();
    },
    send: async (bytes) => write(await connected(), bytes),
    isConnected: () => socket !== undefined && !socket.destroyed,
    close: async () => {
      closed = true;
      const s = socket ?? (await connecting?.catch(() => undefined));
      socket = undefined;
      if (s === undefined || s.destroyed) return;
      await new Promise<void>((resolve) => {
        s.once('close', () => resolve());
        // Let queued bytes go out (end), but never wait on a stuck peer.
        s.end();
        setTimeout(() => s.destroy(), options.writeTimeoutMs).unref();
      });
    },
  };
}
