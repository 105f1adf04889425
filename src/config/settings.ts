/**
 * @module config/settings
 * The one list of the receiver's settings: config-file key, environment
 * variable, flag, kind, default and meaning. The loader reads environment
 * and flags through this table, `serve --help` prints it, and
 * docs/CONFIGURATION.md is checked against it by a test.
 */
import { DEFAULT_JWKS_URL, defaultVerifyThreads } from '../verify/index.js';
import { DEFAULT_DEDUP_WINDOW_MS, DEFAULT_MAX_BYTES, DEFAULT_MAX_DEDUP_IDS } from '../store/index.js';

const KIB = 1024;
const MIB = 1024 * 1024;

/** Defaults, in the units their names say. */
export const defaults = {
  // 0.0.0.0: Konnect reaches the receiver from the internet; it is authenticated and (normally) TLS.
  host: '0.0.0.0',
  port: 8443,
  path: '/audit-logs',
  allowUnauthenticated: false,
  insecureHttp: false,
  jwks: DEFAULT_JWKS_URL,
  jwksRefreshIntervalMs: 60 * 60 * 1000,
  dataDir: './data',
  invalidSignaturePolicy: 'quarantine',
  maxBodyBytes: 16 * MIB,
  maxInflatedBytes: 128 * MIB,
  maxLineBytes: 256 * KIB,
  maxBatchesInFlight: 32,
  // Compressed + inflated bytes of the batches in flight: room for one batch at both caps (16 + 128 MiB) and
  // change, so that RSS stays under 512 MB (docs/CONFIGURATION.md, "Memory"; test/intake/memory.test.ts).
  memoryBudgetBytes: 192 * MIB,
  admissionWaitMs: 10_000,
  // One per core: libsodium on worker threads, the event loop's share per line is a copy (verify/worker-verifier.ts).
  verifyThreads: defaultVerifyThreads(),
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 60_000,
  storeMaxBytes: DEFAULT_MAX_BYTES,
  dedupWindowMs: DEFAULT_DEDUP_WINDOW_MS,
  dedupMaxIds: DEFAULT_MAX_DEDUP_IDS,
  shutdownTimeoutMs: 10_000,
  logLevel: 'info',
  store: 'sqlite',
  natsAckWaitMs: 30_000,
} as const;

/** How a boolean setting is written in the environment or on the command line (case-insensitive). */
export const TRUE_WORDS = ['true', '1', 'yes', 'on'] as const;
export const FALSE_WORDS = ['false', '0', 'no', 'off'] as const;

export const settingKinds = ['string', 'integer', 'boolean', 'secret', 'sinks'] as const;
export type SettingKind = (typeof settingKinds)[number];

export interface Setting {
  /** Key in the JSON config file. */
  readonly key: string;
  readonly env?: string;
  /** No flag for secrets: command lines are visible to every user of the host (`ps`). */
  readonly flag?: string;
  readonly kind: SettingKind;
  /** What the docs show as the default. */
  readonly defaultText: string;
  readonly summary: string;
}

export const settings: readonly Setting[] = [
  { key: 'host', env: 'KONNECT_AUDIT_HOST', flag: '--host', kind: 'string', defaultText: defaults.host, summary: 'Address to listen on (`::` for IPv6 and IPv4, `127.0.0.1` behind a local proxy).' },
  { key: 'port', env: 'KONNECT_AUDIT_PORT', flag: '--port', kind: 'integer', defaultText: String(defaults.port), summary: 'TCP port (0: any free port, printed at start).' },
  { key: 'path', env: 'KONNECT_AUDIT_PATH', flag: '--path', kind: 'string', defaultText: defaults.path, summary: 'Path Konnect posts batches to (the path of the destination endpoint URL).' },
  { key: 'authorization', env: 'KONNECT_AUDIT_AUTHORIZATION', kind: 'secret', defaultText: '(none: required)', summary: 'The exact Authorization header value Konnect sends (`Bearer <token>`). The config file may give a list (rotation).' },
  { key: 'authorizationFile', env: 'KONNECT_AUDIT_AUTHORIZATION_FILE', flag: '--authorization-file', kind: 'string', defaultText: '(none)', summary: 'A file with accepted Authorization values, one per line (`#` comments); added to `authorization`. For Docker/Kubernetes secrets.' },
  { key: 'allowUnauthenticated', env: 'KONNECT_AUDIT_ALLOW_UNAUTHENTICATED', flag: '--allow-unauthenticated', kind: 'boolean', defaultText: 'false', summary: 'Start without any Authorization value (tests only; anyone who can reach the port can post).' },
  { key: 'tlsCert', env: 'KONNECT_AUDIT_TLS_CERT', flag: '--tls-cert', kind: 'string', defaultText: '(none: required unless insecureHttp)', summary: 'TLS certificate chain: a PEM file path, or the PEM text itself.' },
  { key: 'tlsKey', env: 'KONNECT_AUDIT_TLS_KEY', flag: '--tls-key', kind: 'string', defaultText: '(none: required unless insecureHttp)', summary: 'TLS private key: a PEM file path, or the PEM text itself (then treated as a secret).' },
  { key: 'insecureHttp', env: 'KONNECT_AUDIT_INSECURE_HTTP', flag: '--insecure-http', kind: 'boolean', defaultText: 'false', summary: 'Plain HTTP, for a TLS-terminating proxy in front; logged as a warning at start.' },
  { key: 'jwks', env: 'KONNECT_AUDIT_JWKS', flag: '--jwks', kind: 'string', defaultText: defaults.jwks, summary: "Konnect's key set: an https URL (region us, eu or au) or a file path." },
  { key: 'jwksRefreshIntervalMs', env: 'KONNECT_AUDIT_JWKS_REFRESH_INTERVAL_MS', flag: '--jwks-refresh-interval-ms', kind: 'integer', defaultText: String(defaults.jwksRefreshIntervalMs), summary: 'Periodic key set refresh (also refreshed, rate limited, when a signature does not verify).' },
  { key: 'dataDir', env: 'KONNECT_AUDIT_DATA_DIR', flag: '--data-dir', kind: 'string', defaultText: defaults.dataDir, summary: 'Directory of the durable store (SQLite) and the key set cache; relative to the working directory.' },
  { key: 'sinks', env: 'KONNECT_AUDIT_SINK', flag: '--sink', kind: 'sinks', defaultText: 'stdout', summary: 'Where events go. Env/flag: one spec (`stdout`, `file:PATH`, `splunk-hec:URL`, ...; `--sink` may repeat); file: a list of sink objects.' },
  { key: 'invalidSignaturePolicy', env: 'KONNECT_AUDIT_INVALID_SIGNATURE_POLICY', flag: '--invalid-signature-policy', kind: 'string', defaultText: defaults.invalidSignaturePolicy, summary: 'Lines whose signature is invalid, malformed or missing: `quarantine`, `forward` or `drop`.' },
  { key: 'maxBodyBytes', env: 'KONNECT_AUDIT_MAX_BODY_BYTES', flag: '--max-body-bytes', kind: 'integer', defaultText: `${defaults.maxBodyBytes} (16 MiB)`, summary: 'Largest request body as received (compressed); more is answered 413.' },
  { key: 'maxInflatedBytes', env: 'KONNECT_AUDIT_MAX_INFLATED_BYTES', flag: '--max-inflated-bytes', kind: 'integer', defaultText: `${defaults.maxInflatedBytes} (128 MiB)`, summary: 'Largest body once inflated, enforced while inflating; more is answered 413.' },
  { key: 'maxLineBytes', env: 'KONNECT_AUDIT_MAX_LINE_BYTES', flag: '--max-line-bytes', kind: 'integer', defaultText: `${defaults.maxLineBytes} (256 KiB)`, summary: 'Longest line; a longer line is rejected (counted, kept in quarantine), not the batch.' },
  { key: 'maxBatchesInFlight', env: 'KONNECT_AUDIT_MAX_BATCHES_IN_FLIGHT', flag: '--max-batches-in-flight', kind: 'integer', defaultText: String(defaults.maxBatchesInFlight), summary: 'Batches processed at once; more wait their turn (admissionWaitMs), then 429 + Retry-After.' },
  { key: 'memoryBudgetBytes', env: 'KONNECT_AUDIT_MEMORY_BUDGET_BYTES', flag: '--memory-budget-bytes', kind: 'integer', defaultText: `${defaults.memoryBudgetBytes} (192 MiB)`, summary: 'Bytes (compressed + inflated) all batches in flight may hold; a batch without room waits its turn (admissionWaitMs), then 429 + Retry-After. At least maxBodyBytes + maxInflatedBytes. The default keeps RSS under 512 MB.' },
  { key: 'admissionWaitMs', env: 'KONNECT_AUDIT_ADMISSION_WAIT_MS', flag: '--admission-wait-ms', kind: 'integer', defaultText: String(defaults.admissionWaitMs), summary: 'Longest a batch waits for room in the memory budget (or a processing slot) before it is answered 429 + Retry-After.' },
  { key: 'verifyThreads', env: 'KONNECT_AUDIT_VERIFY_THREADS', flag: '--verify-threads', kind: 'integer', defaultText: 'one per core (os.availableParallelism())', summary: 'Worker threads checking signatures with libsodium (node:crypto when the sodium-native addon cannot load: a warning at start, `verifyBackend` in /readyz, `konnect_audit_verify_backend` in /metrics); 0: node:crypto on the libuv thread pool (UV_THREADPOOL_SIZE) instead.' },
  { key: 'headersTimeoutMs', env: 'KONNECT_AUDIT_HEADERS_TIMEOUT_MS', flag: '--headers-timeout-ms', kind: 'integer', defaultText: String(defaults.headersTimeoutMs), summary: 'Time a client has to send its request headers.' },
  { key: 'requestTimeoutMs', env: 'KONNECT_AUDIT_REQUEST_TIMEOUT_MS', flag: '--request-timeout-ms', kind: 'integer', defaultText: String(defaults.requestTimeoutMs), summary: 'Time a client has to send its whole request (headers and body).' },
  { key: 'storeMaxBytes', env: 'KONNECT_AUDIT_STORE_MAX_BYTES', flag: '--store-max-bytes', kind: 'integer', defaultText: `${defaults.storeMaxBytes} (1 GiB)`, summary: 'Undelivered records (bytes of the lines as received and their verdicts, about a third of their JSON) the store holds; beyond, batches are answered 429 until sinks drain it.' },
  { key: 'dedupWindowMs', env: 'KONNECT_AUDIT_DEDUP_WINDOW_MS', flag: '--dedup-window-ms', kind: 'integer', defaultText: `${defaults.dedupWindowMs} (8 days)`, summary: "How long an event id is remembered to drop duplicates (Konnect's replay goes 7 days back)." },
  { key: 'dedupMaxIds', env: 'KONNECT_AUDIT_DEDUP_MAX_IDS', flag: '--dedup-max-ids', kind: 'integer', defaultText: String(defaults.dedupMaxIds), summary: 'Most event ids remembered for dedup (oldest evicted first).' },
  { key: 'shutdownTimeoutMs', env: 'KONNECT_AUDIT_SHUTDOWN_TIMEOUT_MS', flag: '--shutdown-timeout-ms', kind: 'integer', defaultText: String(defaults.shutdownTimeoutMs), summary: 'On SIGTERM/SIGINT: time for in-flight batches and for flushing sinks (events not flushed stay stored).' },
  { key: 'store', env: 'KONNECT_AUDIT_STORE', flag: '--store', kind: 'string', defaultText: defaults.store, summary: '`sqlite` (embedded, in dataDir) or cluster mode: comma-separated NATS URLs (`nats://10.0.0.1:4222,nats://10.0.0.2:4222`) of a JetStream cluster (docs/CLUSTER.md).' },
  { key: 'natsReplicas', env: 'KONNECT_AUDIT_NATS_REPLICAS', flag: '--nats-replicas', kind: 'integer', defaultText: '3 with three or more URLs, else 1', summary: 'Cluster mode: replicas of each JetStream stream (a 200 means a majority of them stored the batch).' },
  { key: 'natsCreds', env: 'KONNECT_AUDIT_NATS_CREDS', flag: '--nats-creds', kind: 'string', defaultText: '(none)', summary: 'Cluster mode: a NATS `.creds` file (user JWT and NKey seed) to authenticate with.' },
  { key: 'natsCa', env: 'KONNECT_AUDIT_NATS_CA', flag: '--nats-ca', kind: 'string', defaultText: '(none)', summary: "Cluster mode: PEM file of the CA that signed the NATS servers' certificates (TLS to NATS)." },
  { key: 'natsAckWaitMs', env: 'KONNECT_AUDIT_NATS_ACK_WAIT_MS', flag: '--nats-ack-wait-ms', kind: 'integer', defaultText: String(defaults.natsAckWaitMs), summary: "Cluster mode: how long after a receiver stops answering its sinks' events go to another receiver." },
  { key: 'logLevel', env: 'KONNECT_AUDIT_LOG_LEVEL', flag: '--log-level', kind: 'string', defaultText: defaults.logLevel, summary: '`fatal`, `error`, `warn`, `info`, `debug`, `trace` or `silent`; logs go to stderr as JSON.' },
];

/** Read by the loader itself, not settings of the config: the file to read. */
export const CONFIG_FILE_ENV = 'KONNECT_AUDIT_CONFIG';
export const CONFIG_FILE_FLAG = '--config';

/** Environment variables other parts read (not receiver settings, but not typos either). */
export const otherKnownEnv: readonly string[] = [CONFIG_FILE_ENV, 'KONNECT_AUDIT_DEBUG', 'KONNECT_AUDIT_SINK_TOKEN', 'KONNECT_AUDIT_SINK_CA', 'KONNECT_AUDIT_SINK_PAYLOAD'];
