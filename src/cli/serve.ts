/**
 * @module cli/serve
 * `konnect-audit serve`: the receiver Konnect posts audit batches to. Reads
 * the configuration (flags > environment > KONNECT_AUDIT_CONFIG file >
 * defaults), starts the receiver and runs until SIGTERM or SIGINT, then
 * shuts down gracefully and exits 0.
 */
import { loadReceiverConfig, parseServeFlags, settings } from '../config/index.js';
import { isKarError } from '../errors/index.js';
import { startReceiver } from '../intake/run-receiver.js';
import { createLogger } from '../observability/logger.js';
import type { Command } from './context.js';

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

function usage(): string {
  const rows = settings.map((s) => {
    const names = [s.flag, s.env].filter((n) => n !== undefined).join(', ');
    return `  ${names}\n      ${s.summary} Default: ${s.defaultText}.`;
  });
  return [
    'Usage: konnect-audit serve [options]',
    '',
    'Runs the HTTPS endpoint Konnect posts audit logs to. Every option is also an',
    'environment variable and a key of the JSON file named by --config or',
    'KONNECT_AUDIT_CONFIG (precedence: flags > environment > file > defaults).',
    'See docs/CONFIGURATION.md and docs/KONNECT.md.',
    '',
    '  --config FILE, KONNECT_AUDIT_CONFIG',
    '      JSON config file (camelCase keys; unknown keys are refused).',
    ...rows,
    '',
  ].join('\n');
}

export const serveCommand: Command = async (ctx) => {
  const flags = parseServeFlags(ctx.argv);
  if (flags.help) {
    ctx.stdout.write(usage());
    return 0;
  }
  const { config, warnings } = await loadReceiverConfig({ flags, env: ctx.env, cwd: ctx.cwd });
  // Logs are JSON lines on stderr: stdout belongs to the stdout sink.
  const logger = createLogger({ level: config.logLevel, destination: ctx.stderr });
  for (const warning of warnings) logger.warn(warning);

  const receiver = await startReceiver(config, { logger });
  // SIGHUP: a renewed certificate is picked up without a restart (file sinks also reopen their files).
  // Listening also keeps Node's default for SIGHUP, ending the process, from stopping the receiver.
  const onHangup = (): void => {
    receiver.reloadTls().catch((error: unknown) => logger.error({ code: isKarError(error) ? error.code : 'KAR_ERR_CONFIG_TLS', err: (error as Error).message }, 'TLS reload failed; the current certificate stays in use'));
  };
  process.on('SIGHUP', onHangup);
  const signal = await new Promise<string>((resolve) => {
    const onSignal = (name: string): void => {
      for (const s of SIGNALS) process.off(s, onSignal);
      resolve(name);
    };
    for (const s of SIGNALS) process.on(s, onSignal);
  });
  logger.info({ signal }, 'signal received');
  // A second signal during shutdown is logged, not fatal: in-flight batches are being committed.
  const again = (name: string): void => logger.warn({ signal: name }, 'already shutting down');
  for (const s of SIGNALS) process.on(s, again);
  try {
    await receiver.close();
  } finally {
    for (const s of SIGNALS) process.off(s, again);
    process.off('SIGHUP', onHangup);
  }
  return 0;
};
