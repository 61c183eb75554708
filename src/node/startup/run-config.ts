import { parseAsNumber, parseCidr, parseIP, type IPFamily } from '../../api/validate/index.js'
import {
  DEFAULT_AUTODETECT_METHOD,
  parseAutodetectMethod,
  type AutodetectMethod,
} from '../autodetect/method.js'
import { NodeRunConfigError } from './errors.js'
import { parseDurationMs } from '../../settings/settings.js'

/**
 * `falconer node run` flags plus calico/node's environment → one typed NodeRunConfig.
 * Pure: no files, no network. Flags beat the environment, as `calicoctl node run` passes
 * its flags to calico/node as environment that overrides the operator's.
 */

/** What commander hands over; every field optional. */
export interface NodeRunFlags {
  ip?: string
  ip6?: string
  as?: string
  name?: string
  ipAutodetectionMethod?: string
  ip6AutodetectionMethod?: string
  logDir?: string
  backend?: string
  noDefaultIppools?: boolean
  dryrun?: boolean
  initSystem?: boolean
  runtime?: string
  detach?: string
  /** Docker-only or Felix-only flags the operator typed, as typed (`--node-image`). */
  unsupported?: readonly string[]
}

export type Env = Readonly<Record<string, string | undefined>>

/** Where a value came from, named as the operator wrote it (`--ip`, `IP`). */
export type Origin = string

export type AddressSetting =
  /** Neither flag nor environment: keep the node's stored address (IPv4: else autodetect). */
  | { readonly kind: 'unset' }
  /** `prefixlen` absent: take it from the interface holding the address. */
  | { readonly kind: 'explicit'; readonly ip: string; readonly prefixlen?: number; readonly from: Origin }
  | { readonly kind: 'autodetect'; readonly from: Origin }

export interface AutodetectSetting {
  readonly method: AutodetectMethod
  /** As the operator wrote it, for messages and for the agent's command line. */
  readonly text: string
}

export type RunMode =
  /** Print what would be started; touch nothing. */
  | { readonly kind: 'dryrun'; readonly initSystem: boolean; readonly registerOnly: boolean }
  /** `--runtime=none`: register the node, start nothing. */
  | { readonly kind: 'register-only' }
  /** `--init-system` / `--detach=false`: startup, then the agent in this process. */
  | { readonly kind: 'foreground' }
  /** The default: start the agent in the background and wait until it is ready. */
  | { readonly kind: 'detach' }

export type Backend = 'bird' | 'gobgp' | 'none'

export type DefaultPools =
  | { readonly create: false }
  | { readonly create: true; readonly ipv4Cidr?: string; readonly ipv6Cidr?: string }

export interface NodeRunConfig {
  readonly mode: RunMode
  /** `--name` or NODENAME; absent: the nodename file, then the host name. */
  readonly nodeName?: { readonly value: string; readonly from: Origin }
  readonly ipv4: AddressSetting
  readonly ipv6: AddressSetting
  readonly ipv4Autodetection: AutodetectSetting
  readonly ipv6Autodetection: AutodetectSetting
  /** Absent: keep the node's own, else inherit the cluster's. */
  readonly asNumber?: { readonly value: number; readonly from: Origin }
  readonly backend: Backend
  readonly defaultPools: DefaultPools
  /** CALICO_ROUTER_ID: `hash` or an IPv4 address. */
  readonly routerId?: string
  /** `--log-dir`; absent: settings.paths.logDir. */
  readonly logDir?: string
  /** How long startup waits for etcd before giving up (FALCONER_DATASTORE_WAIT, seconds). */
  readonly datastoreWaitMs: number
}

export const DEFAULT_DATASTORE_WAIT_MS = 30_000

export { DOCKER_ONLY_FLAGS } from './docker-only-flags.js'

/** A flag wins over its environment variable; a blank variable counts as unset. */
export function pickSetting(flag: string | undefined, flagName: string, env: Env, envName: string): { value: string; from: Origin } | undefined {
  if (flag !== undefined) return { value: flag.trim(), from: flagName }
  const e = env[envName]
  return e === undefined || e.trim() === '' ? undefined : { value: e.trim(), from: envName }
}

export function resolveNodeRunConfig(flags: NodeRunFlags, env: Env): NodeRunConfig {
  for (const flag of flags.unsupported ?? []) throw unsupportedFlag(flag)

  const pick = (flag: string | undefined, flagName: string, envName: string) => pickSetting(flag, flagName, env, envName)

  const name = pick(flags.name, '--node', 'NODENAME')
  if (name !== undefined && name.value === '') throw new NodeRunConfigError('--node: the node name must not be empty')

  const as = pick(flags.as, '--as', 'AS')
  const backend = parseBackend(pick(flags.backend, '--backend', 'CALICO_NETWORKING_BACKEND'))
  const noPools = flags.noDefaultIppools === true || envTrue(env.NO_DEFAULT_POOLS)
  const v4Pool = nonEmpty(env.CALICO_IPV4POOL_CIDR)
  const v6Pool = nonEmpty(env.CALICO_IPV6POOL_CIDR)
  if (noPools && (v4Pool !== undefined || v6Pool !== undefined)) {
    // calico/node refuses this combination too: the operator asked for two opposite things.
    throw new NodeRunConfigError(
      'invalid configuration: NO_DEFAULT_POOLS (--no-default-ippools) together with CALICO_IPV4POOL_CIDR or CALICO_IPV6POOL_CIDR',
    )
  }
  const routerId = nonEmpty(env.CALICO_ROUTER_ID)

  return {
    mode: parseMode(flags),
    ...(name !== undefined && { nodeName: name }),
    ipv4: parseAddressSetting(pick(flags.ip, '--ip', 'IP'), 4),
    ipv6: parseAddressSetting(pick(flags.ip6, '--ip6', 'IP6'), 6),
    ipv4Autodetection: parseMethod(pick(flags.ipAutodetectionMethod, '--ip-autodetection-method', 'IP_AUTODETECTION_METHOD')),
    ipv6Autodetection: parseMethod(pick(flags.ip6AutodetectionMethod, '--ip6-autodetection-method', 'IP6_AUTODETECTION_METHOD')),
    ...(as !== undefined && { asNumber: { value: parseAs(as), from: as.from } }),
    backend,
    defaultPools: noPools
      ? { create: false }
      : {
          create: true,
          ...(v4Pool !== undefined && { ipv4Cidr: parsePoolCidr(v4Pool, 4, 'CALICO_IPV4POOL_CIDR') }),
          ...(v6Pool !== undefined && { ipv6Cidr: parsePoolCidr(v6Pool, 6, 'CALICO_IPV6POOL_CIDR') }),
        },
    ...(routerId !== undefined && { routerId: parseRouterId(routerId) }),
    ...(flags.logDir !== undefined && flags.logDir !== '' && { logDir: flags.logDir }),
    datastoreWaitMs: parseWait(nonEmpty(env.FALCONER_DATASTORE_WAIT)),
  }
}

function parseWait(text: string | undefined): number {
  if (text === undefined) return DEFAULT_DATASTORE_WAIT_MS
  const ms = parseDurationMs(text, { minMs: 0, maxMs: 3_600_000 })
  if (ms === undefined) {
    throw new NodeRunConfigError(`FALCONER_DATASTORE_WAIT: "${text}" is not a duration between 0 and 1h (seconds, e.g. 30 or 500ms)`)
  }
  return ms
}

function unsupportedFlag(flag: string): NodeRunConfigError {
  if (flag === '--felix-config') return new NodeRunConfigError(`falconer runs no Felix: ${flag} is not supported`)
  return new NodeRunConfigError(`falconer runs without Docker: ${flag} is not supported`)
}

function parseMode(flags: NodeRunFlags): RunMode {
  const runtime = flags.runtime ?? 'agent'
  if (runtime === 'docker' || runtime === 'rkt') {
    throw new NodeRunConfigError(`falconer runs without Docker: --runtime=${runtime} is not supported (use --runtime=none to register only)`)
  }
  if (runtime !== 'agent' && runtime !== 'none') {
    throw new NodeRunConfigError(`--runtime: expected "none" (register the node only) or "agent" (the default), not "${runtime}"`)
  }
  const detach = flags.detach ?? 'true'
  if (detach !== 'true' && detach !== 'false') {
    throw new NodeRunConfigError(`Valid values for --detach are 'true' and 'false', not '${detach}'`)
  }
  if (flags.dryrun === true) return { kind: 'dryrun', initSystem: flags.initSystem === true, registerOnly: runtime === 'none' }
  if (runtime === 'none') return { kind: 'register-only' }
  if (flags.initSystem === true || detach === 'false') return { kind: 'foreground' }
  return { kind: 'detach' }
}

/** --backend / CALICO_NETWORKING_BACKEND (also read by `node checksystem`); unset is bird. */
export function parseBackend(v: { value: string; from: Origin } | undefined): Backend {
  if (v === undefined) return 'bird'
  const b = v.value.toLowerCase()
  if (b === 'bird' || b === 'gobgp' || b === 'none') return b
  throw new NodeRunConfigError(`${v.from}: unknown backend '${v.value}' (expected bird, gobgp or none)`)
}

function parseAddressSetting(v: { value: string; from: Origin } | undefined, family: IPFamily): AddressSetting {
  if (v === undefined) return { kind: 'unset' }
  if (v.value.toLowerCase() === 'autodetect') return { kind: 'autodetect', from: v.from }
  let parsed: { family: IPFamily; address: string; prefixLen?: number }
  try {
    // An interface address, not a network: host bits are expected.
    parsed = v.value.includes('/') ? parseCidr(v.value, v.from) : parseIP(v.value, v.from)
  } catch (err) {
    throw new NodeRunConfigError(`${(err as Error).message} (expected an IPv${family} address, address/len or "autodetect")`)
  }
  if (parsed.family !== family) throw new NodeRunConfigError(`${v.from} is wrong IP version: "${v.value}" is not an IPv${family} address`)
  return {
    kind: 'explicit',
    // Canonical text: `fd99:0::2` and `fd99::2` are the same address and must compare equal.
    ip: parsed.address,
    ...(parsed.prefixLen !== undefined && { prefixlen: parsed.prefixLen }),
    from: v.from,
  }
}

function parseMethod(v: { value: string; from: Origin } | undefined): AutodetectSetting {
  if (v === undefined) return { method: DEFAULT_AUTODETECT_METHOD, text: 'first-found' }
  try {
    return { method: parseAutodetectMethod(v.value), text: v.value }
  } catch (err) {
    throw new NodeRunConfigError(`${v.from}: ${(err as Error).message}`)
  }
}

function parseAs(v: { value: string; from: Origin }): number {
  try {
    return parseAsNumber(v.value)
  } catch (err) {
    throw new NodeRunConfigError(`${v.from}: "${v.value}" is not a valid AS number (${(err as Error).message})`)
  }
}

function parsePoolCidr(text: string, family: IPFamily, envName: string): string {
  try {
    // Host bits are cleared as calico/node does (Go's net.ParseCIDR).
    return parseCidr(text, '', { network: true, family }).cidr
  } catch (err) {
    throw new NodeRunConfigError(`Invalid CIDR specified in ${envName} '${text}': ${(err as Error).message}`)
  }
}

function parseRouterId(text: string): string {
  if (text === 'hash') return text
  try {
    return parseIP(text, '', { family: 4 }).address
  } catch {
    throw new NodeRunConfigError(`CALICO_ROUTER_ID: expected "hash" or an IPv4 address, not "${text}"`)
  }
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === '' ? undefined : v.trim()
}

/** calico/node reads NO_DEFAULT_POOLS as true only when it says "true" (any case). */
function envTrue(v: string | undefined): boolean {
  return v !== undefined && v.trim().toLowerCase() === 'true'
}
