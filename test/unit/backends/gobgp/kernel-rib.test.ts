import t from 'tap'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { desiredRoutes, ribSettled, type DesiredRoute, type GobgpNeighbor, type GobgpPath, type GobgpRib } from '../../../../src/backends/gobgp/kernel/rib.js'

/**
 * gobgpd's RIB → kernel routes, on what gobgp 3.10 really printed
 * (test/fixtures/gobgp-3.10.0/rib-README.md says how each capture was made): node
 * 10.99.60.1 (AS 64512) with iBGP peers 10.99.60.2 and .3 (and fd99:60::2/.3), both
 * advertising 10.99.201.0/24 and fd99:201::/64, .2 alone 10.99.200.0/26, 10.99.203.0/26,
 * fd99:200::/122 and fd99:202::/122,
 * the node itself originating 10.99.100.0/26 (and fd99:100::/122).
 */
const dir = fileURLToPath(new URL('../../../fixtures/gobgp-3.10.0/', import.meta.url))
const load = <T>(name: string): T => JSON.parse(readFileSync(dir + name, 'utf8')) as T

const rib4 = load<GobgpRib>('rib-ipv4-ecmp.json')
const rib6 = load<GobgpRib>('rib-ipv6-ecmp.json')
const neighbors = load<GobgpNeighbor[]>('rib-neighbors.json')

const routesOf = (ribs: GobgpRib[], localBlocks: string[] = [], ns: GobgpNeighbor[] = neighbors): Record<string, DesiredRoute> =>
  Object.fromEntries(desiredRoutes({ ribs, neighbors: ns, localBlocks }).routes)

t.test('learned best paths, ECMP across the two peers, own originations skipped (IPv4)', async (t) => {
  t.same(routesOf([rib4]), {
    '10.99.200.0/26': { kind: 'unicast', prefix: '10.99.200.0/26', family: 4, nexthops: ['10.99.60.2'] },
    '10.99.201.0/24': { kind: 'unicast', prefix: '10.99.201.0/24', family: 4, nexthops: ['10.99.60.2', '10.99.60.3'] },
    '10.99.203.0/26': { kind: 'unicast', prefix: '10.99.203.0/26', family: 4, nexthops: ['10.99.60.2'] },
  })
})

t.test('the same for IPv6: next hops from MP_REACH_NLRI as gobgp gives them', async (t) => {
  t.same(routesOf([rib6]), {
    'fd99:200::/122': { kind: 'unicast', prefix: 'fd99:200::/122', family: 6, nexthops: ['fd99:60::2'] },
    'fd99:201::/64': { kind: 'unicast', prefix: 'fd99:201::/64', family: 6, nexthops: ['fd99:60::2', 'fd99:60::3'] },
    'fd99:202::/122': { kind: 'unicast', prefix: 'fd99:202::/122', family: 6, nexthops: ['fd99:60::2'] },
  })
})

t.test('stale paths (a peer in graceful restart) stay, alone or in ECMP', async (t) => {
  const stale4 = load<GobgpRib>('rib-ipv4-stale.json')
  t.ok(stale4?.['10.99.200.0/26']?.[0]?.stale, 'the capture has the stale flag')
  t.same(routesOf([stale4, load<GobgpRib>('rib-ipv6-stale.json')]), {
    '10.99.200.0/26': { kind: 'unicast', prefix: '10.99.200.0/26', family: 4, nexthops: ['10.99.60.2'] },
    '10.99.201.0/24': { kind: 'unicast', prefix: '10.99.201.0/24', family: 4, nexthops: ['10.99.60.2', '10.99.60.3'] },
    'fd99:200::/122': { kind: 'unicast', prefix: 'fd99:200::/122', family: 6, nexthops: ['fd99:60::2'] },
    'fd99:201::/64': { kind: 'unicast', prefix: 'fd99:201::/64', family: 6, nexthops: ['fd99:60::2', 'fd99:60::3'] },
  })
})

t.test('local blocks are blackholes, even where the RIB has a learned path', async (t) => {
  const routes = routesOf([rib4, rib6], ['10.99.100.0/26', '10.99.200.0/26', 'FD99:100:0::/122'])
  t.same(routes['10.99.100.0/26'], { kind: 'blackhole', prefix: '10.99.100.0/26', family: 4 })
  t.same(routes['10.99.200.0/26'], { kind: 'blackhole', prefix: '10.99.200.0/26', family: 4 })
  t.same(routes['fd99:100::/122'], { kind: 'blackhole', prefix: 'fd99:100::/122', family: 6 })
  t.equal(Object.keys(routes).length, 8)
  const bad = desiredRoutes({ ribs: [], neighbors, localBlocks: ['not-a-cidr'] })
  t.equal(bad.routes.size, 0)
  t.match(bad.problems, [/local block "not-a-cidr" is not a CIDR/])
})

t.test('a best path this node originated wins: no kernel route even when a peer has it too', async (t) => {
  const learned = rib4?.['10.99.201.0/24'] ?? []
  const own = (rib4?.['10.99.100.0/26'] ?? [])[0] as GobgpPath
  const rib: GobgpRib = { '10.99.201.0/24': [{ ...own, nlri: { prefix: '10.99.201.0/24' } }, ...learned.map((p) => ({ ...p, best: false }))] }
  t.same(routesOf([rib]), {})
})

/** The recorded ECMP prefix with the second path's attributes changed. */
function tweakSecond(change: (p: GobgpPath) => GobgpPath): GobgpRib {
  const [first, second] = rib4?.['10.99.201.0/24'] ?? []
  return { '10.99.201.0/24': [first as GobgpPath, change(second as GobgpPath)] }
}
const withAttr = (p: GobgpPath, attr: { type: number; value?: unknown; as_paths?: unknown }) =>
  ({ ...p, attrs: [...(p.attrs ?? []).filter((a) => a.type !== attr.type), attr] }) as GobgpPath
const hopsOf = (rib: GobgpRib, ns = neighbors) => {
  const r = routesOf([rib], [], ns)['10.99.201.0/24']
  return r?.kind === 'unicast' ? r.nexthops : undefined
}

t.test('ECMP only between paths that tie on what BGP compares', async (t) => {
  t.same(hopsOf(tweakSecond((p) => p)), ['10.99.60.2', '10.99.60.3'], 'recorded: a tie')
  t.same(hopsOf(tweakSecond((p) => withAttr(p, { type: 5, value: 90 }))), ['10.99.60.2'], 'lower LOCAL_PREF')
  t.same(hopsOf(tweakSecond((p) => withAttr(p, { type: 1, value: 0 }))), ['10.99.60.2'], 'another ORIGIN')
  const path = (asns: number[]) => ({ type: 2, as_paths: [{ segment_type: 2, num: asns.length, asns }] })
  t.same(hopsOf(tweakSecond((p) => withAttr(p, path([65001])))), ['10.99.60.2'], 'longer AS path')
  const both = (asA: number[], medA: number, asB: number[], medB: number): GobgpRib => {
    const [first, second] = rib4?.['10.99.201.0/24'] ?? []
    return {
      '10.99.201.0/24': [
        withAttr(withAttr(first as GobgpPath, path(asA)), { type: 4, value: medA }),
        withAttr(withAttr(second as GobgpPath, path(asB)), { type: 4, value: medB }),
      ],
    }
  }
  t.same(hopsOf(both([65001], 10, [65001], 20)), ['10.99.60.2'], 'MED differs, same neighbouring AS')
  t.same(hopsOf(both([65001], 10, [65002], 20)), ['10.99.60.2', '10.99.60.3'], 'MED differs between different ASes: not compared')
  t.same(hopsOf(both([65001], 10, [65001], 10)), ['10.99.60.2', '10.99.60.3'], 'same MED')
  const ebgpThree = neighbors.map((n) =>
    n.conf?.neighbor_address === '10.99.60.3' ? { ...n, conf: { ...n.conf, peer_asn: 65003 } } : n,
  )
  t.same(hopsOf(tweakSecond((p) => p), ebgpThree), ['10.99.60.2'], 'an eBGP path never joins an iBGP best')
  t.same(hopsOf(tweakSecond((p) => ({ ...p, withdrawal: true }))), ['10.99.60.2'], 'a withdrawn path is gone')
})

t.test('a link-local IPv6 next hop is reported, not programmed without its interface', async (t) => {
  const [p] = rib6?.['fd99:200::/122'] ?? []
  const ll = { ...(p as GobgpPath), attrs: (p as GobgpPath).attrs?.map((a) => (a.type === 14 ? { ...a, nexthop: 'fe80::1' } : a)) }
  const out = desiredRoutes({ ribs: [{ 'fd99:200::/122': [ll] }], neighbors, localBlocks: [] })
  t.equal(out.routes.size, 0)
  t.match(out.problems, [/fd99:200::\/122: link-local next hop fe80::1/])
})

t.test('an IPv4 prefix with an IPv6 next hop (RFC 8950) is reported, not programmed', async (t) => {
  const [p] = rib4?.['10.99.200.0/26'] ?? []
  const v6hop = { ...(p as GobgpPath), attrs: [...((p as GobgpPath).attrs ?? []).filter((a) => a.type !== 3), { type: 14, nexthop: 'fd99:60::2' }] }
  const out = desiredRoutes({ ribs: [{ '10.99.200.0/26': [v6hop] }], neighbors, localBlocks: [] })
  t.equal(out.routes.size, 0)
  t.match(out.problems, [/10.99.200.0\/26: next hop fd99:60::2 is of the other address family/])
})

t.test('an empty RIB (gobgp prints {}) and no output at all', async (t) => {
  t.same(routesOf([{}, null]), {})
})

t.test('ribSettled: every neighbor Established, with End-of-RIB where graceful restart was negotiated', async (t) => {
  const upSince = Math.max(...neighbors.map((n) => n.timers?.state?.uptime?.seconds ?? 0))
  t.equal(ribSettled(neighbors, upSince + 60), true, 'all Established for a minute, no graceful restart')
  t.equal(ribSettled(neighbors, upSince + 1), false, 'just came up: updates may still be on the way')
  const gr = load<GobgpNeighbor[]>('rib-neighbors-gr.json')
  t.equal(ribSettled(gr, upSince + 3600), false, 'a neighbor restarting (Idle)')
  const established = gr.filter((n) => n.state?.session_state === 6)
  t.ok(established.length > 0)
  t.equal(ribSettled(established, 0), true, 'End-of-RIB received: settled at once')
  const noEor = established.map((n) => ({
    ...n,
    afi_safis: n.afi_safis?.map((a) => ({ ...a, mp_graceful_restart: { state: { ...a.mp_graceful_restart?.state, end_of_rib_received: false } } })),
  }))
  t.equal(ribSettled(noEor, upSince + 3600), false, 'graceful restart without End-of-RIB yet')
  t.equal(ribSettled([], 0), false, 'no neighbors: a gobgpd that has not read its config yet looks like this')
  const noUptime = neighbors.map((n) => ({ ...n, timers: {} }))
  t.equal(ribSettled(noUptime, upSince + 3600), false, 'no uptime reported: not known to have been up long enough')
})

t.test('service ranges and pools left to the dataplane stay out of the kernel, as in the BIRD kernel filter', async (t) => {
  const out = desiredRoutes({ ribs: [rib4, rib6], neighbors, localBlocks: ['10.99.200.0/26'], unprogrammed: ['10.99.200.0/22', 'fd99:201::/48', 'junk'] })
  t.same([...out.routes.keys()].sort(), ['10.99.200.0/26', 'fd99:200::/122', 'fd99:202::/122'], 'the local block stays a blackhole; 10.99.200-203 and fd99:201::/64 are inside the ranges')
  t.same(out.routes.get('10.99.200.0/26')?.kind, 'blackhole')
  t.match(out.problems, [/range "junk" is not a CIDR/])
})

t.test('a BIRD 1.6 eBGP peer beside a gobgpd iBGP peer (recorded): AS paths, no ECMP across them', async (t) => {
  const ebgp = load<GobgpNeighbor[]>('rib-neighbors-bird-ebgp.json')
  const out = routesOf([load<GobgpRib>('rib-ipv4-bird-ebgp.json'), load<GobgpRib>('rib-ipv6-bird-ebgp.json')], [], ebgp)
  t.same(out, {
    '10.99.210.0/24': { kind: 'unicast', prefix: '10.99.210.0/24', family: 4, nexthops: ['10.99.60.3'] },
    '10.99.211.0/24': { kind: 'unicast', prefix: '10.99.211.0/24', family: 4, nexthops: ['10.99.60.2'] },
    'fd99:210::/64': { kind: 'unicast', prefix: 'fd99:210::/64', family: 6, nexthops: ['fd99:60::3'] },
  })
  // Even with AS paths of equal length, the eBGP path does not join the iBGP best.
  const rib = load<GobgpRib>('rib-ipv4-bird-ebgp.json')
  const [ibgp, fromBird] = rib?.['10.99.210.0/24'] ?? []
  const padded = withAttr(ibgp as GobgpPath, { type: 2, as_paths: [{ segment_type: 2, num: 1, asns: [65009] }] })
  const equalLength: GobgpRib = { '10.99.210.0/24': [padded, fromBird as GobgpPath] }
  t.same(routesOf([equalLength], [], ebgp)['10.99.210.0/24'], { kind: 'unicast', prefix: '10.99.210.0/24', family: 4, nexthops: ['10.99.60.3'] })
  const bothInternal = ebgp.map((n) => ({ ...n, conf: { ...n.conf, peer_asn: 64512 } }))
  t.same(routesOf([equalLength], [], bothInternal)['10.99.210.0/24'], { kind: 'unicast', prefix: '10.99.210.0/24', family: 4, nexthops: ['10.99.60.2', '10.99.60.3'] }, 'the same paths from two iBGP peers tie')
})
