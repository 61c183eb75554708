import { SettingsError } from './errors.js'
import { readClientConfig, type ClientConfigValues } from './client-config.js'
import { derivePaths, type PathOverrides, type Paths } from './paths.js'

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent'

export interface DatastoreSettings {
  readonly type: 'etcdv3'
  readonly endpoints: readonly string[]
  readonly username?: string
  readonly password?: string
  readonly caCertFile?: string
  readonly certFile?: string
  readonly keyFile?: string
  /** Bound on connecting / a single request, so nothing ever hangs on a dead datastore. */
  readonly timeoutMs: number
}

/** Health and metrics HTTP; loopback unless told otherwise (invariant 7). Port 0: off. */
export interface HealthSettings {
  readonly host: string
  readonly port: number
}

export interface Settings {
  readonly paths: Paths
  readonly datastore: DatastoreSettings
  readonly logLevel: LogLevel
  readonly health: HealthSettings
  /**
   * The BIRD executable `--backend=bird` drives (its version picks BIRD 1.6 or BIRD 2);
   * `birdc` and BIRD 1.6's `bird6` are looked up beside it.
   */
  readonly birdBin: string
}

/** What the CLI passes in; every field optional (commander leaves absent flags undefined). */
export interface SettingsFlags {
  config?: string
  prefix?: string
  logLevel?: string
  datastoreTimeout?: string | number
  birdBin?: string
  paths?: PathOverrides
}

export type Env = Readonly<Record<string, string | undefined>>

export const DEFAULT_ETCD_ENDPOINT = 'http://127.0.0.1:2379'
export const DEFAULT_DATASTORE_TIMEOUT_MS = 10_000

const LOG_LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']

/**
 * flags > env > client config file > defaults, except that a client config file named
 * explicitly with -c counts as a flag and so beats the environment.
 */
export function loadSettings(flags: SettingsFlags = {}, env: Env = process.env): Settings {
  const prefix = flags.prefix ?? env.FALCONER_PREFIX ?? ''
  const paths = derivePaths(prefix, { ...pathsFromEnv(env), ...flags.paths })
  const explicitFile = flags.config ?? env.CALICOCTL_CONFIG ?? env.FALCONER_CONFIG
  const file = flags.config
    ? readClientConfig(flags.config, true)
    : readClientConfig(explicitFile ?? paths.clientConfig, explicitFile !== undefined)
  const fromEnv = clientConfigFromEnv(env)
  const merged: ClientConfigValues = flags.config
    ? { ...fromEnv, ...file }
    : { ...file, ...fromEnv }

  return {
    paths: { ...paths, clientConfig: flags.config ?? explicitFile ?? paths.clientConfig },
    datastore: datastoreSettings(merged, flags.datastoreTimeout ?? env.FALCONER_DATASTORE_TIMEOUT),
    logLevel: parseLogLevel(flags.logLevel ?? env.FALCONER_LOG_LEVEL ?? 'info'),
    health: healthSettings(env),
    birdBin: birdBin(flags.birdBin ?? env.FALCONER_BIRD_BIN),
  }
}

function birdBin(value: string | undefined): string {
  if (value === undefined || value === '') return 'bird'
  if (value.trim() !== value || /[\0\n]/.test(value)) throw new SettingsError(`BIRD executable "${value}" (--bird-bin / FALCONER_BIRD_BIN): not a file name`)
  return value
}

export const DEFAULT_HEALTH_PORT = 9099
export const DEFAULT_HEALTH_HOST = '127.0.0.1'

function healthSettings(env: Env): HealthSettings {
  const host = env.FALCONER_HEALTH_HOST || DEFAULT_HEALTH_HOST
  const portText = env.FALCONER_HEALTH_PORT || String(DEFAULT_HEALTH_PORT)
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) {
    throw new SettingsError(`FALCONER_HEALTH_PORT "${portText}": expected a port number (0 turns the endpoint off)`)
  }
  return { host, port: Number(portText) }
}

function pathsFromEnv(env: Env): PathOverrides {
  const out: PathOverrides = {}
  if (env.FALCONER_RUN_DIR) out.runDir = env.FALCONER_RUN_DIR
  if (env.FALCONER_CONFD_DIR) out.confdDir = env.FALCONER_CONFD_DIR
  if (env.FALCONER_STATE_DIR) out.stateDir = env.FALCONER_STATE_DIR
  if (env.FALCONER_LOG_DIR) out.logDir = env.FALCONER_LOG_DIR
  if (env.FALCONER_SECRETS_DIR) out.secretsDir = env.FALCONER_SECRETS_DIR
  return out
}

function clientConfigFromEnv(env: Env): ClientConfigValues {
  const pick = (name: string) => (env[name] === '' ? undefined : env[name])
  const out: ClientConfigValues = {}
  const entries: [keyof ClientConfigValues, string][] = [
    ['datastoreType', 'DATASTORE_TYPE'],
    ['etcdEndpoints', 'ETCD_ENDPOINTS'],
    ['etcdUsername', 'ETCD_USERNAME'],
    ['etcdPassword', 'ETCD_PASSWORD'],
    ['etcdKeyFile', 'ETCD_KEY_FILE'],
    ['etcdCertFile', 'ETCD_CERT_FILE'],
    ['etcdCACertFile', 'ETCD_CA_CERT_FILE'],
  ]
  for (const [key, name] of entries) {
    const v = pick(name)
    if (v !== undefined) out[key] = v
  }
  return out
}

function datastoreSettings(v: ClientConfigValues, timeout: string | number | undefined): DatastoreSettings {
  const type = v.datastoreType ?? 'etcdv3'
  if (type !== 'etcdv3') {
    throw new SettingsError(
      `datastore type "${type}" is not supported: falconer only supports etcdv3 (set DATASTORE_TYPE=etcdv3 or spec.datastoreType: etcdv3)`,
    )
  }
  const endpoints = parseEndpoints(v.etcdEndpoints ?? DEFAULT_ETCD_ENDPOINT)
  const tls = [v.etcdCACertFile, v.etcdCertFile, v.etcdKeyFile]
  if ((v.etcdCertFile === undefined) !== (v.etcdKeyFile === undefined)) {
    throw new SettingsError('etcd client TLS needs both a certificate file and a key file (ETCD_CERT_FILE, ETCD_KEY_FILE)')
  }
  if (tls.some((f) => f !== undefined) && endpoints.some((e) => e.startsWith('http://'))) {
    throw new SettingsError('etcd TLS files are set but an endpoint uses http://; use https:// endpoints')
  }
  return {
    type: 'etcdv3',
    endpoints,
    ...(v.etcdUsername !== undefined && { username: v.etcdUsername }),
    ...(v.etcdPassword !== undefined && { password: v.etcdPassword }),
    ...(v.etcdCACertFile !== undefined && { caCertFile: v.etcdCACertFile }),
    ...(v.etcdCertFile !== undefined && { certFile: v.etcdCertFile }),
    ...(v.etcdKeyFile !== undefined && { keyFile: v.etcdKeyFile }),
    timeoutMs: parseTimeout(timeout),
  }
}

export function parseEndpoints(list: string): string[] {
  const endpoints = list.split(',').map((s) => s.trim()).filter((s) => s !== '')
  if (endpoints.length === 0) throw new SettingsError('etcd endpoints: none given')
  for (const e of endpoints) {
    let url: URL
    try {
      url = new URL(e)
    } catch {
      throw new SettingsError(`etcd endpoint "${e}" is not a URL (expected e.g. http://127.0.0.1:2379)`)
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new SettingsError(`etcd endpoint "${e}": scheme must be http or https`)
    }
    if (url.port === '') throw new SettingsError(`etcd endpoint "${e}": a port is required`)
  }
  return endpoints
}

/** Seconds (as operators type them), e.g. "10" or "2.5"; also accepts "500ms" / "10s". */
function parseTimeout(value: string | number | undefined): number {
  if (value === undefined || value === '') return DEFAULT_DATASTORE_TIMEOUT_MS
  const text = String(value).trim()
  const m = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(text)
  if (!m) throw new SettingsError(`datastore timeout "${text}": expected seconds, e.g. 10 or 2.5s or 500ms`)
  const ms = m[2] === 'ms' ? Number(m[1]) : Number(m[1]) * 1000
  if (ms <= 0 || ms > 3_600_000) throw new SettingsError(`datastore timeout "${text}": must be between 1ms and 1h`)
  return Math.round(ms)
}

export function parseLogLevel(value: string): LogLevel {
  const v = value.toLowerCase()
  const alias: Record<string, LogLevel> = { warning: 'warn', none: 'silent', critical: 'fatal' }
  const level = alias[v] ?? (v as LogLevel)
  if (!LOG_LEVELS.includes(level)) {
    throw new SettingsError(`log level "${value}": expected one of debug, info, warning, error, none`)
  }
  return level
}
