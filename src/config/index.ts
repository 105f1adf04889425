/**
 * @module config
 * The receiver's configuration: one table of settings (settings.ts), flags,
 * environment and an optional JSON file, validated once with zod and frozen.
 */
export { defaults, settings, CONFIG_FILE_ENV, CONFIG_FILE_FLAG, type Setting, type SettingKind } from './settings.js';
export { parseServeFlags, type ParsedFlags } from './flags.js';
export { loadReceiverConfig, type LoadConfigOptions, type LoadedConfig, type ReceiverConfig, type StoreChoice, type TlsSource } from './load.js';
export { receiverConfigSchema } from './schema.js';
