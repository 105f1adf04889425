/**
 * A real rsyslogd (Debian package `rsyslog`, and `rsyslog-gnutls` for TLS)
 * run as a child process with its own config in a temp dir: imtcp on
 * loopback (port 0, the chosen port written to a file), one ruleset writing
 * every message as one JSON line (hostname, app-name, msgid, pri, structured
 * data, msg) to a file in the temp dir. Nothing outside the temp dir is
 * touched: no imuxsock/imklog, `$WorkDirectory` and the pid file in the dir.
 *
 * rsyslog's defaults would hide the very bugs these tests look for, so the
 * config turns them off: `maxMessageSize` (8k by default: longer messages are
 * truncated) is raised to 1 MiB, and control characters are kept as sent.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { killOnExit } from '../../support/kill-on-exit.js';
import { externalDaemon } from '../../support/external-daemon.js';

export interface ReceivedSyslog {
  readonly host: string;
  readonly app: string;
  readonly procid: string;
  readonly msgid: string;
  readonly pri: string;
  readonly sd: string;
  readonly msg: string;
}

export interface RsyslogTls {
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
}

export interface Rsyslog {
  readonly tcpPort: number;
  readonly tlsPort: number | undefined;
  received(): Promise<ReceivedSyslog[]>;
  /** Waits until at least `count` messages are in the output file (a guard deadline, not a timed assertion). */
  waitForMessages(count: number): Promise<ReceivedSyslog[]>;
  stop(): Promise<void>;
  /** Starts again on the same ports. */
  restart(): Promise<void>;
}

/** rsyslogd on this machine (skipped with one line on a developer's machine without it; required under CI). */
export const rsyslogd = externalDaemon('rsyslogd', 'rsyslog rsyslog-gnutls');

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

const TEMPLATE =
  '{\\"host\\":\\"%hostname:::json%\\",\\"app\\":\\"%app-name:::json%\\",\\"procid\\":\\"%procid:::json%\\",\\"msgid\\":\\"%msgid:::json%\\",' +
  '\\"pri\\":\\"%pri%\\",\\"sd\\":\\"%structured-data:::json%\\",\\"msg\\":\\"%msg:::json%\\"}\\n';

function config(dir: string, tcpPort: number, tls: RsyslogTls | undefined, tlsPort: number): string {
  const tlsGlobals =
    tls === undefined
      ? ''
      : ` defaultNetstreamDriverCAFile="${tls.caFile}" defaultNetstreamDriverCertFile="${tls.certFile}" defaultNetstreamDriverKeyFile="${tls.keyFile}"`;
  const lines = [
    `global(workDirectory="${dir}" maxMessageSize="1m" parser.escapeControlCharactersOnReceive="off"${tlsGlobals})`,
    'module(load="imtcp" maxSessions="50")',
    `template(name="kar_json" type="string" string="${TEMPLATE}")`,
    `ruleset(name="kar") { action(type="omfile" file="${join(dir, 'received.ndjson')}" template="kar_json") }`,
    `input(type="imtcp" address="127.0.0.1" port="${tcpPort}" listenPortFileName="${join(dir, 'tcp.port')}" ruleset="kar")`,
  ];
  if (tls !== undefined) {
    lines.push(
      `input(type="imtcp" address="127.0.0.1" port="${tlsPort}" listenPortFileName="${join(dir, 'tls.port')}" ruleset="kar" ` +
        'streamDriver.name="gtls" streamDriver.mode="1" streamDriver.authMode="anon")',
    );
  }
  return `${lines.join('\n')}\n`;
}

export async function startRsyslog(dir: string, tls?: RsyslogTls): Promise<Rsyslog> {
  const binary = rsyslogd.path;
  if (binary === undefined) throw new Error(`rsyslogd is not installed: apt-get install -y ${rsyslogd.packages}`);
  let child: ChildProcess | undefined;
  let tcpPort = 0;
  let tlsPort = 0;
  const outFile = join(dir, 'received.ndjson');

  const launch = async (): Promise<void> => {
    const confFile = join(dir, 'rsyslog.conf');
    await writeFile(confFile, config(dir, tcpPort, tls, tlsPort));
    await writeFile(join(dir, 'tcp.port'), '');
    if (tls !== undefined) await writeFile(join(dir, 'tls.port'), '');
    const proc = killOnExit(spawn(binary, ['-n', '-f', confFile, '-i', join(dir, 'rsyslogd.pid')], { stdio: ['ignore', 'pipe', 'pipe'] }));
    let output = '';
    proc.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    proc.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    let exited = false;
    proc.once('exit', () => (exited = true));
    child = proc;
    // Port 0: rsyslog writes the port it chose to the file. A fixed port (restart): wait until it accepts.
    const readPort = async (name: string, fixed: number): Promise<number> => {
      for (let i = 0; i < 600; i++) {
        if (exited) throw new Error(`rsyslogd exited during startup:\n${output}`);
        if (fixed !== 0) {
          if (await accepts(fixed)) return fixed;
        } else {
          const text = (await readFile(join(dir, name), 'utf8').catch(() => '')).trim();
          if (/^\d+$/.test(text) && text !== '0') return Number(text);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`rsyslogd did not report its ${name}:\n${output}`);
    };
    tcpPort = await readPort('tcp.port', tcpPort);
    if (tls !== undefined) tlsPort = await readPort('tls.port', tlsPort);
  };

  const received = async (): Promise<ReceivedSyslog[]> => {
    const text = await readFile(outFile, 'utf8').catch(() => '');
    // rsyslog may be halfway through writing its last line: only lines it has ended count.
    return text
      .slice(0, text.lastIndexOf('\n') + 1)
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as ReceivedSyslog);
  };

  const stop = async (): Promise<void> => {
    const proc = child;
    child = undefined;
    if (proc === undefined || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = once(proc, 'exit');
    proc.kill('SIGTERM');
    await exited;
  };

  await launch();
  return {
    get tcpPort() {
      return tcpPort;
    },
    get tlsPort() {
      return tls === undefined ? undefined : tlsPort;
    },
    received,
    waitForMessages: async (count) => {
      for (let i = 0; i < 1200; i++) {
        const messages = await received();
        if (messages.length >= count) return messages;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`rsyslog wrote ${(await received()).length} messages, expected ${count}`);
    },
    stop,
    restart: async () => {
      await stop();
      await launch();
    },
  };
}
