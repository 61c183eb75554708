import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { SettingsError } from './errors.js'

/**
 * The datastore part of Calico's client config file (calicoctl.cfg):
 *   apiVersion: projectcalico.org/v3
 *   kind: CalicoAPIConfig
 *   spec: { datastoreType: etcdv3, etcdEndpoints: "http://…:2379,…", … }
 * Every value is optional here; precedence is decided by the caller.
 */
export interface ClientConfigValues {
  datastoreType?: string
  etcdEndpoints?: string
  etcdUsername?: string
  etcdPassword?: string
  etcdKeyFile?: string
  etcdCertFile?: string
  etcdCACertFile?: string
}

const STRING_KEYS = [
  'datastoreType', 'etcdEndpoints', 'etcdUsername', 'etcdPassword',
  'etcdKeyFile', 'etcdCertFile', 'etcdCACertFile',
] as const

/** Reads a client config; `undefined` when the file does not exist and `required` is false. */
export function readClientConfig(file: string, required: boolean): ClientConfigValues | undefined {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && !required) return undefined
    throw new SettingsError(`cannot read client config ${file}: ${(err as Error).message}`)
  }
  return parseClientConfig(text, file)
}

export function parseClientConfig(text: string, file: string): ClientConfigValues {
  let doc: unknown
  try {
    // YAML is a superset of JSON, so one parser serves both forms. Loaded only when a file
    // exists: every command reads settings, most hosts have no client config file.
    const yaml = createRequire(import.meta.url)('yaml') as typeof import('yaml')
    doc = yaml.parse(text)
  } catch (err) {
    throw new SettingsError(`client config ${file}: ${(err as Error).message.split('\n')[0]}`)
  }
  if (doc === null || doc === undefined) return {}
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    throw new SettingsError(`client config ${file}: expected a CalicoAPIConfig document`)
  }
  const d = doc as Record<string, unknown>
  if (d.kind !== undefined && d.kind !== 'CalicoAPIConfig') {
    throw new SettingsError(`client config ${file}: kind must be CalicoAPIConfig, not ${String(d.kind)}`)
  }
  const spec = (d.spec ?? {}) as Record<string, unknown>
  if (typeof spec !== 'object' || Array.isArray(spec)) {
    throw new SettingsError(`client config ${file}: spec must be a mapping`)
  }
  const out: ClientConfigValues = {}
  for (const key of STRING_KEYS) {
    const v = spec[key]
    if (v === undefined || v === null || v === '') continue
    if (typeof v !== 'string') throw new SettingsError(`client config ${file}: spec.${key} must be a string`)
    out[key] = v
  }
  return out
}

/** calicoctl's environment names for the same values (what LoadClientConfigFromEnvironment reads). */
const ENV_NAMES: readonly [keyof ClientConfigValues, string][] = [
  ['datastoreType', 'DATASTORE_TYPE'],
  ['etcdEndpoints', 'ETCD_ENDPOINTS'],
  ['etcdUsername', 'ETCD_USERNAME'],
  ['etcdPassword', 'ETCD_PASSWORD'],
  ['etcdKeyFile', 'ETCD_KEY_FILE'],
  ['etcdCertFile', 'ETCD_CERT_FILE'],
  ['etcdCACertFile', 'ETCD_CA_CERT_FILE'],
]

export function clientConfigFromEnv(env: Readonly<Record<string, string | undefined>>): ClientConfigValues {
  const out: ClientConfigValues = {}
  for (const [key, name] of ENV_NAMES) {
    const v = env[name]
    if (v !== undefined && v !== '') out[key] = v
  }
  return out
}
