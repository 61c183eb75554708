import { createHash } from 'node:crypto'
import type { BGPFilter, BGPFilterRule } from '../../api/types.js'
import { parseBGPFilterSpec } from '../../api/validate/bgp-filter.js'
import { resourceKey } from './keys.js'
import type { IPFamily } from './parse.js'
import { cmp, type ProblemSink } from './problems.js'
import type { BgpFilterIntent, BgpFilterRuleIntent } from './types.js'

/** A BGPFilter's rules per family, keyed by resource name; ids fit a BIRD symbol. */
export type ParsedFilters = ReadonlyMap<string, { readonly v4: BgpFilterIntent; readonly v6: BgpFilterIntent }>

/**
 * BIRD symbols are at most 64 characters; Calico names a filter's functions
 * `bgp_<name>_importFilterV4`, so a name keeps 45 characters. A longer one keeps its start
 * and ends in a hash of the whole name, so two long names never share functions.
 */
const MAX_ID = 64 - 'bgp__importFilterV4'.length

function filterId(name: string): string {
  if (name.length <= MAX_ID) return name
  const hash = createHash('sha256').update(name, 'utf8').digest('hex').slice(0, 10)
  return `${name.slice(0, MAX_ID - hash.length - 1)}-${hash}`
}

function ruleIntent(r: BGPFilterRule, family: IPFamily): BgpFilterRuleIntent {
  const out: { -readonly [K in keyof BgpFilterRuleIntent]: BgpFilterRuleIntent[K] } = {
    action: r.action === 'Accept' ? 'accept' : 'reject',
    fromRemotePeers: r.source === 'RemotePeers',
  }
  if (r.cidr !== undefined && r.matchOperator !== undefined) {
    const match: { -readonly [K in keyof NonNullable<BgpFilterRuleIntent['match']>]: NonNullable<BgpFilterRuleIntent['match']>[K] } = {
      operator: r.matchOperator,
      cidr: r.cidr,
    }
    if (r.prefixLength !== undefined) {
      // Calico's range: from the CIDR's own length (or min, if longer) to the family's
      // maximum (or max, if shorter).
      const own = Number(r.cidr.split('/')[1])
      match.lengths = { min: Math.max(own, r.prefixLength.min ?? own), max: Math.min(family === 4 ? 32 : 128, r.prefixLength.max ?? 128) }
    }
    out.match = match
  }
  if (r.interface !== undefined) out.interface = r.interface
  return out
}

/** Every BGPFilter parsed once per snapshot; a bad one is reported and left out. */
export function parseFilters(filters: ReadonlyMap<string, BGPFilter>, problems: ProblemSink): ParsedFilters {
  const out = new Map<string, { v4: BgpFilterIntent; v6: BgpFilterIntent }>()
  for (const [name, res] of [...filters].sort(([a], [b]) => cmp(a, b))) {
    const spec = problems.attempt(resourceKey('BGPFilter', name), 'spec', () => parseBGPFilterSpec(res.spec, 'spec'))
    if (spec === undefined) continue
    const id = filterId(name)
    const side = (rules: readonly BGPFilterRule[] | undefined, f: IPFamily) =>
      rules !== undefined && rules.length > 0 ? rules.map((r) => ruleIntent(r, f)) : undefined
    const family = (f: IPFamily): BgpFilterIntent => {
      const imp = side(f === 4 ? spec.importV4 : spec.importV6, f)
      const exp = side(f === 4 ? spec.exportV4 : spec.exportV6, f)
      return { id, ...(imp !== undefined && { import: imp }), ...(exp !== undefined && { export: exp }) }
    }
    out.set(name, { v4: family(4), v6: family(6) })
  }
  return out
}

/** The filters of one family that have any rules, for the function definitions. */
export function familyFilters(parsed: ParsedFilters, f: IPFamily): BgpFilterIntent[] {
  return [...parsed.values()]
    .map((p) => (f === 4 ? p.v4 : p.v6))
    .filter((x) => x.import !== undefined || x.export !== undefined)
    .sort((a, b) => cmp(a.id, b.id))
}
