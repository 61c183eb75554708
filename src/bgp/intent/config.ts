import { ValidationError } from '../../api/errors.js'
import type { BGPConfiguration, SecretKeyRef } from '../../api/types.js'
import { resourceKey } from './keys.js'
import {
  array,
  asObj,
  bool,
  isSet,
  network,
  parseAsNumber,
  parseCommunityValue,
  interfacePattern,
  port,
  restartSeconds,
  secretRef,
  str,
  type CommunityValue,
  type Obj,
  type ParsedCidr,
} from './parse.js'
import type { ProblemSink } from './problems.js'
import type { DebugLevel } from './types.js'

/** What one BGPConfiguration resource says, each field parsed or absent (problem reported). */
export interface ParsedConfig {
  readonly key: string
  readonly asNumber?: number
  readonly listenPort?: number
  readonly debug?: DebugLevel
  readonly meshEnabled?: boolean
  readonly meshPassword?: SecretKeyRef | 'invalid'
  readonly meshRestartTime?: number
  readonly ignoredInterfaces?: readonly string[]
  readonly bindNodeIP?: boolean
  readonly communities: ReadonlyMap<string, CommunityValue>
  readonly prefixAdvertisements?: readonly Advertisement[]
  readonly serviceAddresses: readonly ParsedCidr[]
  /** programClusterRoutes: which pools' routes BIRD programs (read from `default` only, as Calico does). */
  readonly clusterRoutes?: ClusterRoutePolicy
}

/** Whether BIRD programs the routes of IP-in-IP pools and of unencapsulated pools. */
export interface ClusterRoutePolicy {
  readonly ipip: boolean
  readonly noEncap: boolean
}

const CLUSTER_ROUTES: Readonly<Record<string, ClusterRoutePolicy>> = {
  Enabled: { ipip: true, noEncap: true },
  Disabled: { ipip: false, noEncap: false },
  EnabledIPIPOnly: { ipip: true, noEncap: false },
  EnabledNoEncapOnly: { ipip: false, noEncap: true },
}

export interface Advertisement {
  readonly cidr: ParsedCidr
  readonly values: readonly CommunityValue[]
}

/** Calico's mapping of logSeverityScreen onto BIRD's `debug`. */
const DEBUG: Readonly<Record<string, DebugLevel>> = {
  Debug: 'all',
  Info: 'states',
  Warning: 'states',
  Error: 'states',
  Fatal: 'states',
  None: 'none',
}

/**
 * `inherited`: community names a node-level resource may use from the default one.
 */
export function parseConfig(
  name: string,
  res: BGPConfiguration | undefined,
  problems: ProblemSink,
  inherited: ReadonlyMap<string, CommunityValue> = new Map(),
): ParsedConfig {
  const key = resourceKey('BGPConfiguration', name)
  if (res === undefined) return { key, communities: new Map(), serviceAddresses: [] }
  const spec = problems.attempt(key, 'spec', () => asObj(res.spec, 'spec'))
  if (spec === undefined) return { key, communities: new Map(), serviceAddresses: [] }

  const field = <T>(name: string, parse: (v: unknown, path: string) => T): T | undefined =>
    isSet(spec[name]) ? problems.attempt(key, `spec.${name}`, () => parse(spec[name], `spec.${name}`)) : undefined

  const communities = parseCommunities(spec, key, problems)
  const out: {
    -readonly [K in keyof ParsedConfig]: ParsedConfig[K]
  } = {
    key,
    communities,
    serviceAddresses: [
      ...parseCidrList(spec, 'serviceClusterIPs', key, problems),
      ...parseCidrList(spec, 'serviceExternalIPs', key, problems),
    ],
  }
  const asNumber = field('asNumber', parseAsNumber)
  if (asNumber !== undefined) out.asNumber = asNumber
  const listenPort = field('listenPort', port)
  if (listenPort !== undefined) out.listenPort = listenPort
  const debug = field('logSeverityScreen', (v, p) => {
    const text = str(v, p)
    const level = Object.hasOwn(DEBUG, text) ? DEBUG[text] : undefined
    if (level === undefined) throw new ValidationError(p, `expected one of ${Object.keys(DEBUG).join(', ')}`)
    return level
  })
  if (debug !== undefined) out.debug = debug
  const mesh = field('nodeToNodeMeshEnabled', bool)
  if (mesh !== undefined) out.meshEnabled = mesh
  if (isSet(spec.nodeMeshPassword)) {
    out.meshPassword = field('nodeMeshPassword', secretRef) ?? 'invalid'
  }
  const restart = field('nodeMeshMaxRestartTime', restartSeconds)
  if (restart !== undefined) out.meshRestartTime = restart
  const ignored = field('ignoredInterfaces', (v, p) =>
    array(v, p).flatMap((item, i) => {
      const pattern = problems.attempt(key, `${p}[${i}]`, () => interfacePattern(item, `${p}[${i}]`))
      return pattern === undefined ? [] : [pattern]
    }),
  )
  if (ignored !== undefined) out.ignoredInterfaces = ignored
  const bind = field('bindMode', (v, p) => {
    const mode = str(v, p)
    if (mode !== 'None' && mode !== 'NodeIP') throw new ValidationError(p, 'expected None or NodeIP')
    return mode === 'NodeIP'
  })
  if (bind !== undefined) out.bindNodeIP = bind
  const clusterRoutes = field('programClusterRoutes', (v, p) => {
    const text = str(v, p)
    const policy = Object.hasOwn(CLUSTER_ROUTES, text) ? CLUSTER_ROUTES[text] : undefined
    if (policy === undefined) throw new ValidationError(p, `expected one of ${Object.keys(CLUSTER_ROUTES).join(', ')}`)
    return policy
  })
  if (clusterRoutes !== undefined) out.clusterRoutes = clusterRoutes
  if (isSet(spec.prefixAdvertisements)) {
    out.prefixAdvertisements = parseAdvertisements(spec, communities, inherited, key, problems)
  }
  return out
}

function parseCidrList(spec: Obj, name: string, key: string, problems: ProblemSink): ParsedCidr[] {
  if (!isSet(spec[name])) return []
  const list = problems.attempt(key, `spec.${name}`, () => array(spec[name], `spec.${name}`)) ?? []
  return list.flatMap((item, i) => {
    const path = `spec.${name}[${i}].cidr`
    const cidr = problems.attempt(key, path, () => network(asObj(item, `spec.${name}[${i}]`).cidr, path))
    return cidr === undefined ? [] : [cidr]
  })
}

function parseCommunities(spec: Obj, key: string, problems: ProblemSink): Map<string, CommunityValue> {
  const out = new Map<string, CommunityValue>()
  if (!isSet(spec.communities)) return out
  const list = problems.attempt(key, 'spec.communities', () => array(spec.communities, 'spec.communities')) ?? []
  list.forEach((item, i) => {
    const path = `spec.communities[${i}]`
    problems.attempt(key, path, () => {
      const o = asObj(item, path)
      const name = str(o.name, `${path}.name`)
      out.set(name, parseCommunityValue(o.value, `${path}.value`))
    })
  })
  return out
}

function parseAdvertisements(
  spec: Obj,
  communities: ReadonlyMap<string, CommunityValue>,
  inherited: ReadonlyMap<string, CommunityValue>,
  key: string,
  problems: ProblemSink,
): Advertisement[] {
  const list =
    problems.attempt(key, 'spec.prefixAdvertisements', () => array(spec.prefixAdvertisements, 'spec.prefixAdvertisements')) ??
    []
  return list.flatMap((item, i) => {
    const path = `spec.prefixAdvertisements[${i}]`
    const o = problems.attempt(key, path, () => asObj(item, path))
    if (o === undefined) return []
    const cidr = problems.attempt(key, `${path}.cidr`, () => network(o.cidr, `${path}.cidr`))
    if (cidr === undefined) return []
    const refs = problems.attempt(key, `${path}.communities`, () => array(o.communities, `${path}.communities`)) ?? []
    const values = refs.flatMap((ref, j) => {
      const p = `${path}.communities[${j}]`
      const value = problems.attempt(key, p, () => {
        const text = str(ref, p)
        if (text.includes(':')) return parseCommunityValue(text, p)
        const named = communities.get(text) ?? inherited.get(text)
        if (named === undefined) throw new ValidationError(p, `no community named ${JSON.stringify(text)} in spec.communities`)
        return named
      })
      return value === undefined ? [] : [value]
    })
    return [{ cidr, values }]
  })
}
