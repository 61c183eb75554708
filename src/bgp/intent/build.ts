import { familyFilters } from './filters.js'
import { affinityKey } from './keys.js'
import type { Context, NodeConfig } from './context.js'
import { addressOf } from './nodes.js'
import { network, routerIdText, type IPFamily } from './parse.js'
import { peerings } from './peerings.js'
import { prepare, type Prepared } from './prepare.js'
import { cmp, ProblemSink } from './problems.js'
import { hashRouterId } from './router-id.js'
import { DRAIN, type BgpIntent, type BuildIntentInput, type CommunityRule, type EnabledFamily, type FamilyBase, type FamilyIntent } from './types.js'

/**
 * The BGP intent for one node: a pure function of the snapshot, the node name and the
 * options. Bad resources are reported in `problems` and left out; the rest still renders.
 */
export function buildIntent(input: BuildIntentInput): BgpIntent {
  const prepared = prepare(input.snapshot)
  const problems = new ProblemSink()
  problems.addAll(prepared.problems)
  const ctx: Context = {
    prepared,
    problems,
    nodeName: input.nodeName,
    self: prepared.nodes.get(input.nodeName),
    config: effectiveConfig(prepared, input.nodeName),
    secrets: input.secrets ?? new Map(),
  }
  const base: FamilyBase = {
    routerId: routerId(ctx, input.routerId),
    debug: ctx.config.debug,
    ignoredInterfaces: ctx.config.ignoredInterfaces,
  }
  const drained = input.drained === true
  const v4 = family(ctx, base, 4, drained)
  const v6 = family(ctx, base, 6, drained)
  return { v4, v6, problems: problems.sorted() }
}

function effectiveConfig(p: Prepared, nodeName: string): NodeConfig {
  const own = p.nodeConfigs.get(nodeName)
  const d = p.defaults
  const listenPort = own?.listenPort ?? d.listenPort
  return {
    debug: own?.debug ?? d.debug ?? 'states',
    ignoredInterfaces: own?.ignoredInterfaces ?? d.ignoredInterfaces ?? [],
    bindNodeIP: own?.bindNodeIP ?? d.bindNodeIP ?? false,
    ...(listenPort !== undefined && { listenPort }),
    advertisements: own?.prefixAdvertisements ?? d.prefixAdvertisements ?? [],
  }
}

/** Option > node IPv4 > hash of the name (bird6 needs one even on an IPv6-only node). */
function routerId(ctx: Context, option: string | undefined): string {
  if (option === 'hash') return hashRouterId(ctx.nodeName)
  if (option !== undefined) {
    const id = ctx.problems.attempt('CALICO_ROUTER_ID', 'routerId', () => routerIdText(option, 'routerId'))
    if (id !== undefined) return id
  }
  return ctx.self?.v4 ?? hashRouterId(ctx.nodeName)
}

function family(ctx: Context, base: FamilyBase, f: IPFamily, drained: boolean): FamilyIntent {
  const self = ctx.self
  if (self === undefined) return disabled(base, 'this node has no valid Node resource in the datastore')
  const address = addressOf(self, f)
  if (address === undefined) return disabled(base, `this node has no IPv${f} address`)

  const { peers, mesh } = peerings(ctx, self, address, f)
  const out: { -readonly [K in keyof EnabledFamily]: EnabledFamily[K] } = {
    ...base,
    enabled: true,
    nodeAddress: address,
    localAs: self.asNumber,
    mesh,
    blocks: blocksOf(ctx, f),
    pools: ctx.prepared.pools.filter((p) => p.family === f).map(({ cidr, exported, programKernel }) => ({ cidr, exported, programKernel })),
    serviceAddresses: uniqueSorted(ctx.prepared.defaults.serviceAddresses.filter((c) => c.family === f).map((c) => c.cidr)),
    communities: communitiesFor(ctx, f),
    peers,
    bgpFilters: familyFilters(ctx.prepared.filters, f),
  }
  if (ctx.config.bindNodeIP) out.listenAddress = address
  if (ctx.config.listenPort !== undefined) out.listenPort = ctx.config.listenPort
  if (self.clusterId !== undefined) out.routeReflectorClusterId = self.clusterId
  if (drained) out.drain = DRAIN
  return out
}

function disabled(base: FamilyBase, reason: string): FamilyIntent {
  return { ...base, enabled: false, reason }
}

// ---- exports -------------------------------------------------------------------------

function blocksOf(ctx: Context, f: IPFamily): string[] {
  const out: string[] = []
  for (const a of ctx.prepared.affinities.get(ctx.nodeName) ?? []) {
    if (a.state !== 'confirmed') continue
    const key = affinityKey(ctx.nodeName, typeof a.cidr === 'string' && a.cidr.includes(':') ? 6 : 4, String(a.cidr))
    const cidr = ctx.problems.attempt(key, 'cidr', () => network(a.cidr, 'cidr'))
    if (cidr !== undefined && cidr.family === f) out.push(cidr.cidr)
  }
  return uniqueSorted(out)
}

function communitiesFor(ctx: Context, f: IPFamily): CommunityRule[] {
  return ctx.config.advertisements.flatMap((a) => {
    if (a.cidr.family !== f || a.values.length === 0) return []
    const standard: (readonly [number, number])[] = []
    const large: (readonly [number, number, number])[] = []
    for (const v of a.values) {
      if (v.kind === 'standard') standard.push(v.parts)
      else large.push(v.parts)
    }
    return [{ cidr: a.cidr.cidr, standard, large }]
  })
}

function uniqueSorted(list: readonly string[]): string[] {
  return [...new Set(list)].sort(cmp)
}
