import { readFileSync } from 'node:fs'
import { clientConfigFromEnv, readClientConfig, type ClientConfigValues } from './client-config.js'
import { SettingsError } from './errors.js'

/**
 * Where a CLI command gets its datastore settings, decided the way calicoctl decides:
 *
 *   1. a client config file named with -c (or CALICOCTL_CONFIG / FALCONER_CONFIG) must be
 *      readable, and is used alone;
 *   2. else the default client config (/etc/calico/calicoctl.cfg), when it exists, alone;
 *   3. else the environment (ETCD_ENDPOINTS, ETCD_*, DATASTORE_TYPE), when an ETCD_* is set;
 *   4. else the systemd unit's environment file (/etc/calico/calico.env), so that on a node
 *      set up from systemd/README.md the CLI talks to the same etcd as the agent;
 *   5. else the defaults (etcd at 127.0.0.1:2379).
 *
 * `source` says which one won, for the error an operator reads when etcd is unreachable.
 */
export interface ClientSource {
  readonly values: ClientConfigValues
  readonly source: string
}

export interface ClientSourceInputs {
  /** -c, CALICOCTL_CONFIG or FALCONER_CONFIG. */
  readonly explicitFile?: string | undefined
  readonly defaultFile: string
  readonly envFile: string
  readonly env: Readonly<Record<string, string | undefined>>
}

export function resolveClientSource(i: ClientSourceInputs): ClientSource {
  if (i.explicitFile !== undefined) {
    return { values: readClientConfig(i.explicitFile, true) ?? {}, source: `client config ${i.explicitFile}` }
  }
  const file = readClientConfig(i.defaultFile, false)
  if (file !== undefined) return { values: file, source: `client config ${i.defaultFile}` }
  const fromEnv = clientConfigFromEnv(i.env)
  // DATASTORE_TYPE alone (etcdv3 is the only type) says nothing about where etcd is.
  if (Object.keys(fromEnv).some((k) => k !== 'datastoreType')) {
    return { values: fromEnv, source: `environment (${envNames(fromEnv)}; no client config at ${i.defaultFile})` }
  }
  const unit = readEnvFile(i.envFile)
  if (unit.kind === 'read') {
    const values = clientConfigFromEnv(unit.vars)
    if (Object.keys(values).length > 0) {
      return { values, source: `${i.envFile} (no client config at ${i.defaultFile}, no ETCD_* in the environment)` }
    }
  }
  const why =
    unit.kind === 'unreadable' ? `${i.envFile} not readable: ${unit.reason}`
      : unit.kind === 'absent' ? `no ${i.envFile}`
      : `no ETCD_* in ${i.envFile}`
  return {
    values: {},
    source: `defaults (no client config at ${i.defaultFile}, no ETCD_* in the environment, ${why})`,
  }
}

function envNames(v: ClientConfigValues): string {
  const names: Record<keyof ClientConfigValues, string> = {
    datastoreType: 'DATASTORE_TYPE', etcdEndpoints: 'ETCD_ENDPOINTS', etcdUsername: 'ETCD_USERNAME',
    etcdPassword: 'ETCD_PASSWORD', etcdKeyFile: 'ETCD_KEY_FILE', etcdCertFile: 'ETCD_CERT_FILE',
    etcdCACertFile: 'ETCD_CA_CERT_FILE',
  }
  return (Object.keys(v) as (keyof ClientConfigValues)[]).map((k) => names[k]).join(', ')
}

type EnvFileRead =
  | { readonly kind: 'read'; readonly vars: Record<string, string> }
  | { readonly kind: 'absent' }
  | { readonly kind: 'unreadable'; readonly reason: string }

/**
 * systemd's EnvironmentFile= syntax, as far as calico.env uses it: `NAME=value` lines,
 * `#` / `;` comments, values optionally in single or double quotes.
 */
export function parseEnvFile(text: string, file: string): Record<string, string> {
  const vars: Record<string, string> = {}
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim()
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line)
    if (!m) throw new SettingsError(`${file}:${i + 1}: expected NAME=value`)
    let value = m[2]!
    const q = value[0]
    if ((q === '"' || q === "'") && value.length >= 2 && value.endsWith(q)) value = value.slice(1, -1)
    vars[m[1]!] = value
  })
  return vars
}

function readEnvFile(file: string): EnvFileRead {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'absent' }
    // calico.env is mode 0600 (it may hold ETCD_PASSWORD): a non-root user cannot read it.
    return { kind: 'unreadable', reason: code === 'EACCES' ? 'permission denied' : (err as Error).message }
  }
  return { kind: 'read', vars: parseEnvFile(text, file) }
}
