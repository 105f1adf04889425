/**
 * @module config/flags
 * `serve`'s command line: `--name value` or `--name=value` for every setting
 * that has a flag (settings.ts), bare `--name` for booleans, `--sink`
 * repeatable, `--config FILE`, `--help`.
 */
import { KarError } from '../errors/index.js';
import { CONFIG_FILE_FLAG, settings, type Setting } from './settings.js';

export interface ParsedFlags {
  readonly help: boolean;
  readonly configFile: string | undefined;
  /** Raw values by setting key, in command-line order. */
  readonly values: ReadonlyMap<string, readonly string[]>;
}

const byFlag = new Map<string, Setting>(settings.filter((s) => s.flag !== undefined).map((s) => [s.flag as string, s]));

export function parseServeFlags(argv: readonly string[]): ParsedFlags {
  const values = new Map<string, string[]>();
  let help = false;
  let configFile: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    if (!arg.startsWith('--')) throw new KarError('KAR_ERR_USAGE', `serve takes no arguments, only options: unexpected ${JSON.stringify(arg)}`);
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg : arg.slice(0, eq);
    const inline = eq === -1 ? undefined : arg.slice(eq + 1);
    const setting = byFlag.get(name);
    if (name !== CONFIG_FILE_FLAG && setting === undefined) {
      const secretHint = name === '--authorization' ? ' (Authorization values are secrets: use KONNECT_AUDIT_AUTHORIZATION or --authorization-file)' : '';
      throw new KarError('KAR_ERR_USAGE', `unknown option ${name}${secretHint}; run \`konnect-audit serve --help\``);
    }
    let value = inline;
    if (value === undefined && setting?.kind === 'boolean') value = 'true';
    if (value === undefined) {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) throw new KarError('KAR_ERR_USAGE', `option ${name} needs a value`);
      value = next;
      i++;
    }
    if (setting === undefined) {
      configFile = value;
      continue;
    }
    const list = values.get(setting.key) ?? [];
    list.push(value);
    values.set(setting.key, list);
  }
  return { help, configFile, values };
}
