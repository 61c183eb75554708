import { cidrContains } from '../../api/validate/ip.js'
import { resourceKey } from '../../bgp/intent/keys.js'
import type { BgpFilterIntent, BgpFilterRuleIntent, BgpIntent, EnabledFamily, Family, PeerIntent, Problem } from '../../bgp/intent/types.js'
import { drainPolicy } from './drain.js'
import { tomlString, tomlTable, type TomlValue } from './toml.js'

/**
 * intent → gobgpd.toml. Pure and deterministic: the same intent gives the same bytes.
 *
 * Shape: `[global]` (AS, router id, listen port/addresses, the two policies), the defined
 * sets, the two global policies (`calico_import`, `calico_export`), then one `[[neighbors]]`
 * per session of each family, each named by its Calico protocol name in `description`.
 *
 * gobgpd applies policies to the global RIB only (per-neighbor policies exist for route
 * server clients alone), so whatever differs per session is a statement of the global
 * policy conditioned on a neighbor set: for an export policy gobgpd matches the neighbor
 * set against the peer the route is sent to, for an import policy against the peer it came
 * from. A policy change is a soft reset on SIGHUP; only a changed `[[neighbors]]` section
 * restarts that one session, so every session's section depends on its own options alone.
 */
export interface GobgpRender {
  readonly text: string
  /** Intent gobgpd cannot express, each refused with the field it comes from. */
  readonly problems: readonly Problem[]
}

/** BIRD 1.6's restart time when a peer sets none (gobgpd's own default is shorter). */
const DEFAULT_RESTART_TIME = 120
/** BIRD's `multihop` without a number. */
const EBGP_MULTIHOP_TTL = 64
/** Says why calico_export starts with drain statements, for whoever reads the file. */
const DRAINED_COMMENT = [
  '#',
  '# DRAINED for maintenance (falconer node drain; undo with falconer node undrain): every',
  '# session exports with GRACEFUL_SHUTDOWN, iBGP with LOCAL_PREF 1 (gobgpd cannot send 0),',
  "# eBGP with the session's AS prepended, so peers prefer other paths while this node still forwards.",
]
/** Calico's default AS, for a file with no BGP family at all (gobgpd needs one; it peers with nobody). */
const FALLBACK_AS = 64512

type Statement = {
  readonly name: string
  readonly prefixSet?: { readonly name: string; readonly invert: boolean }
  readonly neighborSet?: string
  readonly routeType?: 'internal' | 'external'
  readonly disposition?: 'accept-route' | 'reject-route'
  readonly nextHop?: 'self' | 'unchanged'
  readonly communities?: readonly string[]
  readonly largeCommunities?: readonly string[]
  readonly localPref?: number
  readonly prepend?: { readonly as: number; readonly repeat: number }
}

type PrefixEntry = { readonly prefix: string; readonly range?: string }

/** Collects the defined sets and statements in the order they are added (which is the output order). */
class PolicyBuilder {
  readonly prefixSets = new Map<string, readonly PrefixEntry[]>()
  readonly neighborSets = new Map<string, readonly string[]>()
  readonly importStatements: Statement[] = []
  readonly exportStatements: Statement[] = []

  prefixSet(name: string, entries: readonly PrefixEntry[]): string {
    this.prefixSets.set(name, entries)
    return name
  }

  neighborSet(name: string, addresses: readonly string[]): string {
    this.neighborSets.set(name, addresses)
    return name
  }
}

function familyMax(family: Family): number {
  return family === 4 ? 32 : 128
}

function lengthOf(cidr: string): number {
  return Number(cidr.split('/')[1])
}

/** `cidr` and every prefix inside it (BIRD's `net ~ cidr`). */
function orLonger(cidr: string, family: Family): PrefixEntry {
  return { prefix: cidr, range: `${lengthOf(cidr)}..${familyMax(family)}` }
}

function neighborSetName(peer: PeerIntent): string {
  return `peer_${peer.name}`
}

export function renderGobgpConfig(intent: BgpIntent): GobgpRender {
  const problems: Problem[] = []
  const families = ([[4, intent.v4], [6, intent.v6]] as const).flatMap(([n, f]) => (f.enabled ? [[n, f] as const] : []))
  const policy = new PolicyBuilder()

  // Sessions first: a peer whose BGPFilters cannot be translated is held down, and the
  // policy statements are built only for the peers that are kept.
  const sessions: { family: Family; peer: PeerIntent; heldDown: boolean }[] = []
  for (const [family, f] of families) {
    const seen = new Map<string, string>()
    for (const peer of f.peers) {
      const first = seen.get(peer.address)
      if (first !== undefined) {
        // gobgpd knows a neighbor by its address alone, so a second port cannot be a second session.
        problems.push({
          key: `gobgp:${peer.name}`,
          field: 'spec.peerIP',
          reason: `gobgpd holds one session per peer address; ${peer.address} is already peered as ${first}, so ${peer.name} (${peer.origin}) is not configured`,
        })
        continue
      }
      seen.set(peer.address, peer.name)
      const refused = untranslatable(peer, f, family)
      problems.push(...refused)
      sessions.push({ family, peer, heldDown: refused.length > 0 })
    }
  }
  const kept = (family: Family) => sessions.filter((s) => s.family === family && !s.heldDown).map((s) => s.peer)
  // A drained node: both families' drain statements open the export policy, as the drain
  // opens each BIRD export filter. They set attributes without a disposition, so every
  // rule after them still accepts or rejects as it would undrained (see drain.ts).
  for (const [family, f] of families) {
    const drain = drainPolicy(f.drain, family, f.localAs, kept(family))
    for (const [name, addresses] of drain.neighborSets) policy.neighborSet(name, addresses)
    policy.exportStatements.push(...drain.statements)
  }
  for (const [family, f] of families) buildPolicies(policy, family, f, kept(family))

  const lines: string[] = [
    '# Generated by falconer from the Calico datastore. Do not edit: the agent rewrites this file.',
    '# gobgpd reads it at start and again on SIGHUP. Routes are originated through the API socket.',
    ...(families.some(([, f]) => f.drain !== undefined) ? DRAINED_COMMENT : []),
    '',
    ...globalSection(intent, families),
    ...definedSets(policy),
    ...policyDefinitions('calico_import', policy.importStatements),
    ...policyDefinitions('calico_export', policy.exportStatements),
  ]
  for (const [family, f] of [[4, intent.v4], [6, intent.v6]] as const) {
    lines.push('', `# ------------- IPv${family} sessions -------------`)
    if (!f.enabled) {
      lines.push(`# BGP is disabled for IPv${family}: ${f.reason}`)
      continue
    }
    const mine = sessions.filter((s) => s.family === family)
    if (mine.length === 0) lines.push(`# No IPv${family} peers.`)
    for (const s of mine) lines.push('', ...neighbor(s.peer, f, family, s.heldDown))
  }
  return { text: `${lines.join('\n')}\n`, problems }
}

function globalSection(intent: BgpIntent, families: readonly (readonly [Family, EnabledFamily])[]): string[] {
  const first = families[0]?.[1]
  const port = families.map(([, f]) => f.listenPort).find((p) => p !== undefined)
  // One listen list for both families: once one family binds to the node's address, the
  // other must be listed too (its own address, or every address of that family).
  const bound = families.some(([, f]) => f.listenAddress !== undefined)
  const addresses = bound ? families.map(([n, f]) => f.listenAddress ?? (n === 4 ? '0.0.0.0' : '::')) : undefined
  const lines: string[] = []
  if (first === undefined) lines.push('# No BGP family is enabled: gobgpd listens on no port and peers with nobody.')
  lines.push(
    ...tomlTable('[global.config]', [
      ['as', first?.localAs ?? FALLBACK_AS],
      ['router-id', intent.v4.routerId],
      ['port', first === undefined ? -1 : port],
      ['local-address-list', addresses],
    ]),
  )
  lines.push(
    '',
    ...tomlTable('[global.apply-policy.config]', [
      ['import-policy-list', ['calico_import']],
      ['default-import-policy', 'accept-route'],
      ['export-policy-list', ['calico_export']],
      ['default-export-policy', 'reject-route'],
    ]),
  )
  return lines
}

/** The BIRD export filter, statement by statement, per family; and each peer's own rules. */
function buildPolicies(p: PolicyBuilder, family: Family, f: EnabledFamily, peers: readonly PeerIntent[]): void {
  const v = `v${family}`
  const within = (cidrs: readonly string[]) => cidrs.map((c) => orLonger(c, family))

  // Next-hop handling first: it modifies the route and lets the rules below decide.
  for (const [mode, pick] of [['self', (x: PeerIntent) => x.nextHopSelf], ['unchanged', (x: PeerIntent) => x.nextHopKeep]] as const) {
    const addresses = peers.filter(pick).map((x) => x.address)
    if (addresses.length === 0) continue
    const set = p.neighborSet(`next_hop_${mode}_${v}`, addresses)
    p.exportStatements.push({ name: `next_hop_${mode}_${v}`, neighborSet: set, nextHop: mode })
  }

  // Each session's BGPFilters, in the peer's order, before the shared rules (as in BIRD).
  const filters = new Map(f.bgpFilters.map((x) => [x.id, x]))
  for (const peer of peers) {
    for (const dir of ['import', 'export'] as const) {
      const ids = dir === 'import' ? peer.importFilters : peer.exportFilters
      if (ids.length === 0) continue
      const ns = p.neighborSet(neighborSetName(peer), [peer.address])
      for (const id of ids) {
        const rules = filters.get(id)?.[dir] ?? []
        rules.forEach((rule, i) => {
          const base = `${peer.name}_${dir}_${id}_${i}`
          const prefixSet = rule.match === undefined ? undefined : filterPrefixSet(p, `bgpfilter_${id}_${dir}_${i}_${v}`, rule.match, family)
          const stmt: Statement = {
            name: base,
            neighborSet: ns,
            disposition: rule.action === 'accept' ? 'accept-route' : 'reject-route',
            ...(prefixSet !== undefined && { prefixSet }),
          }
          const target = dir === 'import' ? p.importStatements : p.exportStatements
          // Every route imported comes from a BGP peer. Exported, "from a remote peer" is an
          // iBGP- or an eBGP-learned route: two statements with the same action.
          if (dir === 'export' && rule.fromRemotePeers) {
            target.push({ ...stmt, name: `${base}_internal`, routeType: 'internal' }, { ...stmt, name: `${base}_external`, routeType: 'external' })
          } else target.push(stmt)
        })
      }
    }
  }

  const rejected = f.pools.filter((x) => !x.exported).map((x) => x.cidr)
  if (rejected.length > 0) {
    p.exportStatements.push({ name: `pools_not_exported_${v}`, prefixSet: { name: p.prefixSet(`pools_not_exported_${v}`, within(rejected)), invert: false }, disposition: 'reject-route' })
  }
  f.communities.forEach((c, i) => {
    const set = p.prefixSet(`communities_${i}_${v}`, within([c.cidr]))
    p.exportStatements.push({
      name: `communities_${i}_${v}`,
      prefixSet: { name: set, invert: false },
      ...(c.standard.length > 0 && { communities: c.standard.map(([a, b]) => `${a}:${b}`) }),
      ...(c.large.length > 0 && { largeCommunities: c.large.map(([a, b, d]) => `${a}:${b}:${d}`) }),
    })
  })
  if (f.blocks.length > 0) {
    p.exportStatements.push(
      { name: `blocks_${v}`, prefixSet: { name: p.prefixSet(`blocks_${v}`, f.blocks.map((b) => ({ prefix: b }))), invert: false }, disposition: 'accept-route' },
      { name: `inside_blocks_${v}`, prefixSet: { name: p.prefixSet(`inside_blocks_${v}`, within(f.blocks)), invert: false }, disposition: 'reject-route' },
    )
  }
  if (f.serviceAddresses.length > 0) {
    p.exportStatements.push({ name: `services_${v}`, prefixSet: { name: p.prefixSet(`services_${v}`, within(f.serviceAddresses)), invert: false }, disposition: 'accept-route' })
  }
  const exported = f.pools.filter((x) => x.exported).map((x) => x.cidr)
  if (exported.length > 0) {
    p.exportStatements.push({ name: `pools_${v}`, prefixSet: { name: p.prefixSet(`pools_${v}`, within(exported)), invert: false }, disposition: 'accept-route' })
  }
}

function filterPrefixSet(p: PolicyBuilder, name: string, match: NonNullable<BgpFilterRuleIntent['match']>, family: Family): Statement['prefixSet'] {
  const exact = match.operator === 'Equal' || match.operator === 'NotEqual'
  // BIRD: `net = cidr` is that prefix; `net ~ cidr` it and everything inside; with lengths,
  // `[cidr{min,max}]` for either.
  const entry: PrefixEntry =
    match.lengths !== undefined
      ? { prefix: match.cidr, range: `${match.lengths.min}..${match.lengths.max}` }
      : exact
        ? { prefix: match.cidr }
        : orLonger(match.cidr, family)
  return { name: p.prefixSet(name, [entry]), invert: match.operator === 'NotEqual' || match.operator === 'NotIn' }
}

/**
 * BGPFilter rules gobgpd cannot express. An interface condition has no gobgp equivalent
 * (BIRD matches the next hop's interface); dropping the rule would change what the peer
 * is sent or accepted, so the session is held down instead and the rule is named.
 */
function untranslatable(peer: PeerIntent, f: EnabledFamily, family: Family): Problem[] {
  const out: Problem[] = []
  const filters = new Map<string, BgpFilterIntent>(f.bgpFilters.map((x) => [x.id, x]))
  for (const [dir, ids] of [['import', peer.importFilters], ['export', peer.exportFilters]] as const) {
    for (const id of ids) {
      ;(filters.get(id)?.[dir] ?? []).forEach((rule, i) => {
        if (rule.interface === undefined) return
        out.push({
          key: resourceKey('BGPFilter', id),
          field: `spec.${dir}V${family}[${i}].interface`,
          reason: `gobgpd cannot match routes by interface; session ${peer.name} is held down (admin-down) rather than filtered differently`,
        })
      })
    }
  }
  return out
}

function definedSets(p: PolicyBuilder): string[] {
  const lines: string[] = []
  for (const [name, entries] of p.prefixSets) {
    lines.push('', '[[defined-sets.prefix-sets]]', `  prefix-set-name = ${tomlString(name)}`, '  prefix-list = [')
    for (const e of entries) {
      lines.push(`    { ip-prefix = ${tomlString(e.prefix)}${e.range === undefined ? '' : `, masklength-range = ${tomlString(e.range)}`} },`)
    }
    lines.push('  ]')
  }
  for (const [name, addresses] of p.neighborSets) {
    lines.push('', ...tomlTable('[[defined-sets.neighbor-sets]]', [['neighbor-set-name', name], ['neighbor-info-list', addresses]]))
  }
  return lines
}

function policyDefinitions(name: string, statements: readonly Statement[]): string[] {
  const lines = ['', '[[policy-definitions]]', `  name = ${tomlString(name)}`]
  for (const s of statements) {
    const t = (header: string, entries: readonly (readonly [string, TomlValue | undefined])[]) => lines.push(...tomlTable(header, entries, '    '))
    lines.push('  [[policy-definitions.statements]]', `    name = ${tomlString(`${name}_${s.name}`)}`)
    if (s.prefixSet !== undefined) {
      t('[policy-definitions.statements.conditions.match-prefix-set]', [['prefix-set', s.prefixSet.name], ['match-set-options', s.prefixSet.invert ? 'invert' : 'any']])
    }
    if (s.neighborSet !== undefined) t('[policy-definitions.statements.conditions.match-neighbor-set]', [['neighbor-set', s.neighborSet], ['match-set-options', 'any']])
    if (s.routeType !== undefined) t('[policy-definitions.statements.conditions.bgp-conditions]', [['route-type', s.routeType]])
    if (s.disposition !== undefined) t('[policy-definitions.statements.actions]', [['route-disposition', s.disposition]])
    if (s.nextHop !== undefined || s.localPref !== undefined) {
      t('[policy-definitions.statements.actions.bgp-actions]', [['set-next-hop', s.nextHop], ['set-local-pref', s.localPref]])
    }
    if (s.prepend !== undefined) {
      // `as` is a string in gobgpd's config (a number, or "last-as")
      t('[policy-definitions.statements.actions.bgp-actions.set-as-path-prepend]', [['as', String(s.prepend.as)], ['repeat-n', s.prepend.repeat]])
    }
    if (s.communities !== undefined) {
      t('[policy-definitions.statements.actions.bgp-actions.set-community]', [['options', 'add']])
      t('[policy-definitions.statements.actions.bgp-actions.set-community.set-community-method]', [['communities-list', s.communities]])
    }
    if (s.largeCommunities !== undefined) {
      t('[policy-definitions.statements.actions.bgp-actions.set-large-community]', [['options', 'add']])
      t('[policy-definitions.statements.actions.bgp-actions.set-large-community.set-large-community-method]', [['communities-list', s.largeCommunities]])
    }
  }
  return lines
}

function neighbor(peer: PeerIntent, f: EnabledFamily, family: Family, heldDown: boolean): string[] {
  const ttlMin = peer.ttlSecurityHops === undefined ? undefined : 256 - peer.ttlSecurityHops
  const lines = [`# ${peer.name}: ${peer.origin}`]
  const t = (header: string, entries: readonly (readonly [string, TomlValue | undefined])[], indent = '  ') => {
    if (entries.some(([, v]) => v !== undefined)) lines.push(...tomlTable(header, entries, indent))
  }
  lines.push('[[neighbors]]')
  t('[neighbors.config]', [
    ['neighbor-address', peer.address],
    ['peer-as', peer.asNumber],
    ['local-as', peer.localAs !== undefined && peer.localAs !== f.localAs ? peer.localAs : undefined],
    ['description', peer.name],
    ['auth-password', peer.password],
    // never up without its password, nor with filters it cannot apply
    ['admin-down', peer.withheld !== undefined || heldDown ? true : undefined],
  ])
  t('[neighbors.transport.config]', [
    ['passive-mode', peer.passive ? true : undefined],
    ['remote-port', peer.port],
    ['local-address', peer.sourceAddress],
  ])
  t('[neighbors.timers.config]', [['connect-retry', 5]])
  // TTL security and multihop exclude each other in gobgpd, as GTSM's TTL 255 implies.
  if (ttlMin !== undefined) t('[neighbors.ttl-security.config]', [['enabled', true], ['ttl-min', ttlMin]])
  else if (!peer.internal) t('[neighbors.ebgp-multihop.config]', [['enabled', true], ['multihop-ttl', EBGP_MULTIHOP_TTL]])
  if (peer.routeReflectorClusterId !== undefined) {
    t('[neighbors.route-reflector.config]', [['route-reflector-client', true], ['route-reflector-cluster-id', peer.routeReflectorClusterId]])
  }
  t('[neighbors.as-path-options.config]', [['allow-own-as', peer.allowLocalAs]])
  t('[neighbors.graceful-restart.config]', [['enabled', true], ['restart-time', peer.gracefulRestartTime ?? DEFAULT_RESTART_TIME]])
  lines.push('  [[neighbors.afi-safis]]')
  t('[neighbors.afi-safis.config]', [['afi-safi-name', family === 4 ? 'ipv4-unicast' : 'ipv6-unicast']], '    ')
  t('[neighbors.afi-safis.mp-graceful-restart.config]', [['enabled', true]], '    ')
  return lines
}

/**
 * What gobgpd originates for this node (`gobgp global rib add`): its blocks and service
 * ranges, the routes BIRD's static protocol makes. Pools are exported, not originated.
 */
export function originatedPrefixes(intent: BgpIntent): { readonly v4: readonly string[]; readonly v6: readonly string[] } {
  const of = (f: BgpIntent['v4']) => {
    if (!f.enabled) return []
    // A block in a pool with disableBGPExport goes to no peer: not originating it at all
    // makes switching the pool's export a withdrawal (or an add) of exactly those blocks.
    const unexported = f.pools.filter((p) => !p.exported).map((p) => p.cidr)
    const blocks = f.blocks.filter((b) => !unexported.some((pool) => cidrContains(pool, b)))
    return [...new Set([...blocks, ...f.serviceAddresses])].sort()
  }
  return { v4: of(intent.v4), v6: of(intent.v6) }
}

/** The node's own blocks (both families), which the kernel programmer blackholes. */
export function localBlocks(intent: BgpIntent): readonly string[] {
  return [...(intent.v4.enabled ? intent.v4.blocks : []), ...(intent.v6.enabled ? intent.v6.blocks : [])]
}

/**
 * Ranges whose learned routes stay out of the kernel, as the BIRD backends' kernel filter
 * keeps them out: service addresses, and pools whose routes are not programmed.
 */
export function unprogrammedRanges(intent: BgpIntent): readonly string[] {
  const of = (f: BgpIntent['v4']) => (f.enabled ? [...f.serviceAddresses, ...f.pools.filter((p) => !p.programKernel).map((p) => p.cidr)] : [])
  return [...of(intent.v4), ...of(intent.v6)]
}
