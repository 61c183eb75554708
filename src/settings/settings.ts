import { SettingsError } from './errors.js'
import { clientConfigFromEnv, readClientConfig, type ClientConfigValues } from './client-config.js'
import { resolveClientSource } from './client-source.js'
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
  /** Where these settings came from, for the error an operator reads when etcd is unreachable. */
  readonly source?: string
}

/** Health and metrics HTTP; loopback unless told otherwise (invariant 7 in docs/design.md). Port 0: off. */
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
  /** The GoBGP backend's daemon and client (FALCONER_GOBGPD_BIN, FALCONER_GOBGP_BIN; default on PATH). */
  readonly gobgpdBin: string
  readonly gobgpBin: string
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
 * Who is asking. The agent (`node run`, calico/node's counterpart) takes flags > env >
 * client config file > defaults, except that a file named with -c beats the environment.
 * A client command (`get`, `apply`, `node status`, …) decides as calicoctl does: the client
 * config file alone when there is one, else the environment, else the unit's calico.env
 * (see client-source.ts).
 */
export type SettingsRole = 'agent' | 'client'

export function loadSettings(flags: SettingsFlags = {}, env: Env = process.env, role: SettingsRole = 'agent'): Settings {
  const prefix = flags.prefix ?? env.FALCONER_PREFIX ?? ''
  const paths = derivePaths(prefix, { ...pathsFromEnv(env), ...flags.paths })
  const explicitFile = flags.config ?? env.CALICOCTL_CONFIG ?? env.FALCONER_CONFIG
  let merged: ClientConfigValues
  let source: string
  if (role === 'client') {
    ;({ values: merged, source } = resolveClientSource({
      explicitFile, defaultFile: paths.clientConfig, envFile: paths.envFile, env,
    }))
  } else {
    const file = flags.config
      ? readClientConfig(flags.config, true)
      : readClientConfig(explicitFile ?? paths.clientConfig, explicitFile !== undefined)
    const fromEnv = clientConfigFromEnv(env)
    merged = flags.config ? { ...fromEnv, ...file } : { ...file, ...fromEnv }
    source = agentSource(Object.keys(fromEnv).length > 0, file === undefined ? undefined : explicitFile ?? paths.clientConfig, flags.config)
  }

  return {
    paths: { ...paths, clientConfig: explicitFile ?? paths.clientConfig },
    datastore: { ...datastoreSettings(merged, flags.datastoreTimeout ?? env.FALCONER_DATASTORE_TIMEOUT), source },
    logLevel: parseLogLevel(flags.logLevel ?? env.FALCONER_LOG_LEVEL ?? 'info'),
    health: healthSettings(env),
    birdBin: birdBin(flags.birdBin ?? env.FALCONER_BIRD_BIN),
    gobgpdBin: executable(env.FALCONER_GOBGPD_BIN, 'gobgpd', 'FALCONER_GOBGPD_BIN'),
    gobgpBin: executable(env.FALCONER_GOBGP_BIN, 'gobgp', 'FALCONER_GOBGP_BIN'),
  }
}

function agentSource(hasEnv: boolean, file: string | undefined, flagFile: string | undefined): string {
  if (flagFile !== undefined) return `client config ${flagFile}` + (hasEnv ? ', then the environment' : '')
  if (file !== undefined) return hasEnv ? `environment, then client config ${file}` : `client config ${file}`
  return hasEnv ? 'environment' : 'defaults (no ETCD_* in the environment, no client config)'
}

function birdBin(value: string | undefined): string {
  if (value === undefined || value === '') return 'bird'
  if (value.trim() !== value || /[\0\n]/.test(value)) throw new SettingsError(`BIRD executable "${value}" (--bird-bin / FALCONER_BIRD_BIN): not a file name`)
  return value
}

function executable(value: string | undefined, fallback: string, name: string): string {
  if (value === undefined || value === '') return fallback
  if (value.trim() !== value || /[\0\n]/.test(value)) throw new SettingsError(`${name}="${value}": not a file name`)
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

/**
 * A duration as operators type them: seconds ("10", "2.5") or with a unit ("500ms",
 * "90s"), in milliseconds; undefined when it is not one or lies outside [minMs, maxMs].
 * The one parser of durations: each caller words its own error.
 */
export function parseDurationMs(value: string | number, bounds: { readonly minMs: number; readonly maxMs: number }): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(String(value).trim())
  if (!m) return undefined
  const ms = m[2] === 'ms' ? Number(m[1]) : Number(m[1]) * 1000
  return ms >= bounds.minMs && ms <= bounds.maxMs ? Math.round(ms) : undefined
}

function parseTimeout(value: string | number | undefined): number {
  if (value === undefined || value === '') return DEFAULT_DATASTORE_TIMEOUT_MS
  const text = String(value).trim()
  if (!/^(\d+(?:\.\d+)?)(ms|s)?$/.test(text)) throw new SettingsError(`datastore timeout "${text}": expected seconds, e.g. 10 or 2.5s or 500ms`)
  const ms = parseDurationMs(text, { minMs: Number.MIN_VALUE, maxMs: 3_600_000 })
  if (ms === undefined || ms === 0) throw new SettingsError(`datastore timeout "${text}": must be between 1ms and 1h`)
  return ms
}

export function parseLogLevel(value: string): LogLevel {
  const v = value.toLowerCase()
  const alias: Record<string, LogLevel> = { warning: 'warn', none: 'silent', critical: 'fatal' }
  const level = alias[v] ?? (v as LogLevel)
  if (!LOG_LEVELS.includes(level)) {
    throw new SettingsError(`log level "${value}": expected one of debug, info, warning, error, critical, none`)
  }
  return level
}
