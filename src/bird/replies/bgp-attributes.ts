import { parseUint } from './lines.js'

export type BgpOrigin = 'IGP' | 'EGP' | 'Incomplete'

/** An AS_PATH element: an AS number, or an AS_SET (printed by BIRD in braces). */
export type AsPathSegment = number | readonly number[]

/**
 * The BGP attributes `show route all` lists as "BGP.name: value", typed. An attribute the
 * route does not carry is undefined; anything else BIRD prints stays in `Route.attributes`.
 */
export interface BgpRouteAttributes {
  readonly origin: BgpOrigin | undefined
  readonly asPath: readonly AsPathSegment[] | undefined
  /** One address, or for IPv6 the global and the link-local one. */
  readonly nextHop: readonly string[] | undefined
  readonly med: number | undefined
  readonly localPref: number | undefined
  readonly atomicAggregate: boolean
  /** "10.0.0.1 AS65000" as printed. */
  readonly aggregator: string | undefined
  readonly communities: readonly (readonly [number, number])[] | undefined
  readonly largeCommunities: readonly (readonly [number, number, number])[] | undefined
  /** Each "(rt, 64512, 100)" without the parentheses, as "rt, 64512, 100". */
  readonly extCommunities: readonly string[] | undefined
  readonly originatorId: string | undefined
  readonly clusterList: readonly string[] | undefined
}

const ORIGINS: ReadonlySet<string> = new Set<BgpOrigin>(['IGP', 'EGP', 'Incomplete'])

/** Undefined when the attributes hold no "BGP." entry. */
export function bgpAttributes(attrs: Readonly<Record<string, string>>): BgpRouteAttributes | undefined {
  let any = false
  for (const key in attrs) {
    if (key.startsWith('BGP.')) {
      any = true
      break
    }
  }
  if (!any) return undefined
  const origin = attrs['BGP.origin']
  const nextHop = attrs['BGP.next_hop']
  const clusterList = attrs['BGP.cluster_list']
  return {
    origin: origin !== undefined && ORIGINS.has(origin) ? (origin as BgpOrigin) : undefined,
    asPath: mapDefined(attrs['BGP.as_path'], asPath),
    nextHop: nextHop === undefined ? undefined : words(nextHop),
    med: mapDefined(attrs['BGP.med'], parseUint),
    localPref: mapDefined(attrs['BGP.local_pref'], parseUint),
    atomicAggregate: attrs['BGP.atomic_aggr'] !== undefined,
    aggregator: attrs['BGP.aggregator'],
    communities: mapDefined(attrs['BGP.community'], (v) => tuples(v, 2) as (readonly [number, number])[] | undefined),
    largeCommunities: mapDefined(
      attrs['BGP.large_community'],
      (v) => tuples(v, 3) as (readonly [number, number, number])[] | undefined,
    ),
    extCommunities: mapDefined(attrs['BGP.ext_community'], parenthesised),
    originatorId: attrs['BGP.originator_id'],
    clusterList: clusterList === undefined ? undefined : words(clusterList),
  }
}

function mapDefined<T>(value: string | undefined, f: (v: string) => T | undefined): T | undefined {
  return value === undefined ? undefined : f(value)
}

function words(text: string): string[] {
  return text.split(' ').filter((w) => w !== '')
}

/** "64513 {64514 64515} 64516"; empty for a locally originated route. */
function asPath(text: string): AsPathSegment[] | undefined {
  const out: AsPathSegment[] = []
  let set: number[] | undefined
  for (const raw of words(text)) {
    let word = raw
    if (word.startsWith('{')) {
      set = []
      word = word.slice(1)
    }
    const closes = word.endsWith('}')
    if (closes) word = word.slice(0, -1)
    if (word !== '') {
      const asn = parseUint(word)
      if (asn === undefined) return undefined
      if (set !== undefined) set.push(asn)
      else out.push(asn)
    }
    if (closes) {
      if (set === undefined) return undefined
      out.push(set)
      set = undefined
    }
  }
  return set === undefined ? out : undefined
}

/** The insides of "(a) (b) (c)". */
function parenthesised(text: string): string[] | undefined {
  const out: string[] = []
  let pos = 0
  for (;;) {
    const open = text.indexOf('(', pos)
    if (open < 0) break
    const close = text.indexOf(')', open)
    if (close < 0) return undefined
    out.push(text.slice(open + 1, close).trim())
    pos = close + 1
  }
  return out
}

/** "(64512,100) (64512,200)" or "(1, 2, 3)" as number tuples of the given size. */
function tuples(text: string, size: number): number[][] | undefined {
  const groups = parenthesised(text)
  if (groups === undefined) return undefined
  const out: number[][] = []
  for (const g of groups) {
    const nums = g.split(',').map((n) => parseUint(n.trim()))
    if (nums.length !== size || nums.some((n) => n === undefined)) return undefined
    out.push(nums as number[])
  }
  return out
}
