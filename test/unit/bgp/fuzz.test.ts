import t from 'tap'
import { createHash } from 'node:crypto'
import type { Snapshot } from '../../../src/api/snapshot.js'
import { buildIntent, type BgpIntent, type BuildIntentInput } from '../../../src/bgp/intent/index.js'
import { loadTemplates, renderBirdConfig } from '../../../src/bgp/render/index.js'
import { birdCheckTexts } from './bird-check.js'
import { outOfRange, unknownLines } from './bird-lines.js'
import { bgpProtocolBlocks } from './protocol-blocks.js'
import { affinity, bgpConfig, node, peer, pool, snapshot } from './builders.js'

/**
 * Hostile values in every string and number (and boolean) field of every resource kind,
 * straight into a Snapshot (no datastore validation in front). For each case the intent
 * either leaves the resource out with a problem, or the file still only holds known
 * statements, passes `bird -p`, has no more protocols than before and no trace of the
 * injected text. Deterministic: a fixed seed picks the payloads per field.
 */
const SEED = 0x5eed_b1d
const MARK = 'pwned'

const HOSTILE_STRINGS: readonly string[] = [
  `${MARK}"; }\nprotocol bgp ${MARK} { neighbor 10.99.9.9 as 1; }\n#`,
  `10.99.0.9"; ${MARK}`,
  `10.99.0.9/24; ${MARK}`,
  `fd99::9/64\n${MARK}`,
  `${MARK} # comment`,
  `/* ${MARK} */`,
  `{${MARK}}`,
  `'${MARK}'`,
  `${MARK};`,
  `${MARK}\r\n`,
  `${MARK}\u0000`,
  `ünïcødé-${MARK}\u202e`,
  `has(${MARK}) || all()`,
  `${'x'.repeat(100_000)}${MARK}`,
  `65000:1"; ${MARK}`,
  `90s; ${MARK}`,
]

/** Numbers and their text, which must never reach the file. */
const HOSTILE_NUMBERS: readonly number[] = [NaN, Infinity, -Infinity, -7, 1.5, 4294967296, 1e21, 2 ** 53 + 2, -0.25, 70000]

const mulberry32 = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let x = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x
  return ((x ^ (x >>> 14)) >>> 0) / 4294967296
}
const rand = mulberry32(SEED)
const pick = <T>(list: readonly T[], n: number): T[] => {
  const pool = [...list]
  const out: T[] = []
  while (out.length < n && pool.length > 0) out.push(pool.splice(Math.floor(rand() * pool.length), 1)[0]!)
  return out
}

const SECRETS: ReadonlyMap<string, string> = new Map([
  ['bgp/mesh', 'mesh-pass'],
  ['bgp/tor', 'tor-pass'],
])

function base(): Snapshot {
  return snapshot({
    nodes: [
      node('node-1', { v4: '10.99.0.1/24', v6: 'fd99::1/64', as: 64512, labels: { rack: 'r1', role: 'worker' } }),
      node('node-2', { v4: '10.99.0.2/24', v6: 'fd99::2/64', labels: { rack: 'r1' } }),
      node('rr-1', { v4: '10.99.0.11/24', clusterId: '244.0.0.1', labels: { rr: 'true' } }),
    ],
    configs: [
      bgpConfig('default', {
        logSeverityScreen: 'Info',
        nodeToNodeMeshEnabled: true,
        asNumber: 64512,
        listenPort: 179,
        communities: [
          { name: 'c1', value: '64512:1' },
          { name: 'c2', value: '1:2:3' },
        ],
        prefixAdvertisements: [
          { cidr: '10.99.128.0/17', communities: ['c1', 'c2', '65000:9'] },
          { cidr: 'fd99:100::/48', communities: ['c1'] },
        ],
        serviceClusterIPs: [{ cidr: '10.99.96.0/20' }],
        serviceExternalIPs: [{ cidr: 'fd99:96::/112' }],
        ignoredInterfaces: ['eth9'],
        nodeMeshPassword: { secretKeyRef: { name: 'bgp', key: 'mesh' } },
        nodeMeshMaxRestartTime: '90s',
        bindMode: 'None',
      }),
      bgpConfig('node.node-1', { listenPort: 179, logSeverityScreen: 'Info' }),
    ],
    peers: [
      peer('tor', {
        peerIP: '10.99.0.254',
        asNumber: 65001,
        password: { secretKeyRef: { name: 'bgp', key: 'tor' } },
        keepOriginalNextHop: true,
        sourceAddress: 'UseNodeIP',
        maxRestartTime: '2m',
        ttlSecurity: 1,
        numAllowedLocalASNumbers: 1,
      }),
      peer('tor-v6', { node: 'node-1', peerIP: '[fd99::254]:1790', asNumber: 65001 }),
      peer('to-rr', { nodeSelector: "rack == 'r1'", peerSelector: 'has(rr)' }),
    ],
    pools: [
      pool('v4', { cidr: '10.99.128.0/17', blockSize: 26, ipipMode: 'Never', vxlanMode: 'Never', natOutgoing: true, disabled: false, disableBGPExport: false, nodeSelector: 'all()' }),
      pool('v6', { cidr: 'fd99:100::/48', blockSize: 122 }),
    ],
    affinities: [affinity('node-1', '10.99.129.0/26'), affinity('node-1', 'fd99:100:0:1::/122')],
  })
}

type MapName = 'nodes' | 'bgpPeers' | 'bgpConfigurations' | 'ipPools' | 'blockAffinities'
const MAPS: readonly MapName[] = ['nodes', 'bgpPeers', 'bgpConfigurations', 'ipPools', 'blockAffinities']
type Leaf = { map: MapName; entry: string; path: (string | number)[]; value: unknown }

function leaves(s: Snapshot): Leaf[] {
  const out: Leaf[] = []
  const walk = (map: MapName, entry: string, path: (string | number)[], v: unknown) => {
    if (v !== null && typeof v === 'object') {
      for (const [k, child] of Object.entries(v)) walk(map, entry, [...path, Array.isArray(v) ? Number(k) : k], child)
    } else if (['string', 'number', 'boolean'].includes(typeof v) && !(path[0] === 'apiVersion' || path[0] === 'kind')) {
      out.push({ map, entry, path, value: v })
    }
  }
  for (const map of MAPS) for (const [entry, v] of s[map] as ReadonlyMap<string, unknown>) walk(map, entry, [], v)
  return out
}

interface Case {
  readonly label: string
  readonly input: BuildIntentInput
  /** Problems about this resource count as "skipped with a problem naming it". */
  readonly resourceKey: string | undefined
  /** A hostile text that must not appear in the output (undefined: checked by shape only). */
  readonly forbidden: string | undefined
  /** Selection inputs (labels, names, selectors) may legitimately change the peer set. */
  readonly selects: boolean
}

const keyOf = (map: MapName, entry: string, res: unknown): string | undefined => {
  const plural = { nodes: 'nodes', bgpPeers: 'bgppeers', bgpConfigurations: 'bgpconfigurations', ipPools: 'ippools' } as const
  if (map === 'blockAffinities') return '/calico/ipam/v2/host/'
  const name = (res as { metadata?: { name?: unknown } }).metadata?.name
  return `/calico/resources/v3/projectcalico.org/${plural[map]}/${typeof name === 'string' ? name : entry}`
}

function forbiddenText(v: unknown): string | undefined {
  if (typeof v === 'string') return v.includes(MARK) ? MARK : undefined
  if (typeof v === 'number' && [-7, 1.5, -0.25, 70000].includes(v)) return undefined // checked by shape and range
  return typeof v === 'number' ? String(v) : undefined
}

function mutate(s: Snapshot, leaf: Leaf, value: unknown): { snapshot: Snapshot; resourceKey: string | undefined } {
  const copy = structuredClone(s) as { -readonly [K in keyof Snapshot]: Snapshot[K] }
  const map = new Map(copy[leaf.map] as ReadonlyMap<string, unknown>)
  let res = map.get(leaf.entry) as Record<string | number, unknown>
  let target = res
  for (const k of leaf.path.slice(0, -1)) target = target[k] as Record<string | number, unknown>
  target[leaf.path.at(-1)!] = value
  const renamed = leaf.path.join('.') === 'metadata.name' && typeof value === 'string'
  if (renamed) {
    map.delete(leaf.entry)
    map.set(value, res)
  }
  ;(copy as Record<string, unknown>)[leaf.map] = map
  return { snapshot: copy, resourceKey: keyOf(leaf.map, renamed ? (value as string) : leaf.entry, res) }
}

function cases(): Case[] {
  const s = base()
  const out: Case[] = []
  for (const leaf of leaves(s)) {
    const path = leaf.path.join('.')
    const selects = /labels|^metadata\.name$|^spec\.(node|nodeSelector|peerSelector)$|^node$|^state$/.test(path)
    // Same-type payloads, plus a couple of the other type (type confusion).
    const payloads: unknown[] =
      typeof leaf.value === 'number'
        ? [...pick(HOSTILE_NUMBERS, 5), ...pick(HOSTILE_STRINGS, 2)]
        : typeof leaf.value === 'boolean'
          ? [...pick(HOSTILE_STRINGS, 2), ...pick(HOSTILE_NUMBERS, 1)]
          : [...pick(HOSTILE_STRINGS, 5), ...pick(HOSTILE_NUMBERS, 1)]
    for (const value of payloads) {
      const { snapshot: mutated, resourceKey } = mutate(s, leaf, value)
      out.push({
        label: `${leaf.map}/${leaf.entry} ${path} = ${JSON.stringify(value)?.slice(0, 60) ?? String(value)}`,
        input: { snapshot: mutated, nodeName: 'node-1', secrets: SECRETS },
        resourceKey,
        forbidden: forbiddenText(value),
        selects,
      })
    }
  }
  // Whole-object hostility: specs that are not objects.
  for (const map of MAPS) {
    for (const [entry] of s[map] as ReadonlyMap<string, unknown>) {
      for (const bad of [null, [], 'spec', 7]) {
        const leaf: Leaf = { map, entry, path: map === 'blockAffinities' ? ['cidr'] : ['spec'], value: undefined }
        const { snapshot: mutated, resourceKey } = mutate(s, leaf, bad)
        out.push({ label: `${map}/${entry} ${leaf.path[0]} = ${JSON.stringify(bad)}`, input: { snapshot: mutated, nodeName: 'node-1', secrets: SECRETS }, resourceKey, forbidden: undefined, selects: true })
      }
    }
  }
  // Secret values and the router id option.
  for (const value of HOSTILE_STRINGS) {
    out.push({ label: `secret bgp/tor = ${JSON.stringify(value).slice(0, 60)}`, input: { snapshot: s, nodeName: 'node-1', secrets: new Map([...SECRETS, ['bgp/tor', value]]) }, resourceKey: '/calico/resources/v3/projectcalico.org/bgppeers/tor', forbidden: undefined, selects: false })
    out.push({ label: `secret bgp/mesh = ${JSON.stringify(value).slice(0, 60)}`, input: { snapshot: s, nodeName: 'node-1', secrets: new Map([...SECRETS, ['bgp/mesh', value]]) }, resourceKey: '/calico/resources/v3/projectcalico.org/bgpconfigurations/default', forbidden: undefined, selects: false })
    out.push({ label: `routerId = ${JSON.stringify(value).slice(0, 60)}`, input: { snapshot: s, nodeName: 'node-1', secrets: SECRETS, routerId: value }, resourceKey: 'CALICO_ROUTER_ID', forbidden: MARK, selects: false })
  }
  return out
}

const templates = loadTemplates()
const render = (i: BgpIntent) => [renderBirdConfig(i.v4, 4, templates), renderBirdConfig(i.v6, 6, templates)] as const
const baseIntent = buildIntent({ snapshot: base(), nodeName: 'node-1', secrets: SECRETS })
const baseText = render(baseIntent)
const baseCounts = baseText.map((x) => bgpProtocolBlocks(x).size)
const problemId = (p: { key: string; field: string; reason: string }) => `${p.key} ${p.field} ${p.reason}`
const baseProblems = new Set(baseIntent.problems.map(problemId))

t.same(baseIntent.problems, [], 'the base snapshot is clean')
t.same(baseCounts, [3, 2], 'base: v4 mesh + tor + reflector, v6 mesh + tor-v6')

const all = cases()
t.ok(all.length >= 300, `${all.length} cases`)

/** Distinct outputs, to check each with BIRD once. */
const texts = new Map<string, { text: string; family: 4 | 6; label: string }>()

t.test('each hostile value is skipped with a problem or rendered harmlessly', async (t) => {
  for (const c of all) {
    let intent: BgpIntent
    let out: readonly [string, string]
    try {
      intent = buildIntent(c.input)
      out = render(intent)
    } catch (err) {
      t.fail(`${c.label}: threw ${(err as Error).message}`)
      continue
    }
    const newProblems = intent.problems.filter((p) => !baseProblems.has(problemId(p)))
    const failures: string[] = []
    for (const p of intent.problems) if (!p.key || !p.field || !p.reason) failures.push(`incomplete problem ${JSON.stringify(p)}`)
    if (c.resourceKey !== undefined) {
      for (const p of newProblems) if (!p.key.startsWith(c.resourceKey)) failures.push(`problem about another resource: ${problemId(p)}`)
    }
    out.forEach((text, i) => {
      const family = i === 0 ? 4 : 6
      const unknown = unknownLines(text)
      if (unknown.length) failures.push(`bird${family}: unknown lines ${JSON.stringify(unknown.slice(0, 3))}`)
      const range = outOfRange(text)
      if (range.length) failures.push(`bird${family}: out of range ${JSON.stringify(range)}`)
      if (c.forbidden !== undefined && text.includes(c.forbidden)) failures.push(`bird${family}: contains ${JSON.stringify(c.forbidden)}`)
      const count = bgpProtocolBlocks(text).size
      if (count > baseCounts[i]!) failures.push(`bird${family}: ${count} protocols, more than the ${baseCounts[i]} before`)
      if (!c.selects && newProblems.length === 0 && count !== baseCounts[i]) {
        failures.push(`bird${family}: ${count} protocols instead of ${baseCounts[i]} with no problem reported`)
      }
      const digest = createHash('sha256').update(text).digest('hex')
      if (!texts.has(digest)) texts.set(digest, { text, family, label: c.label })
    })
    if (failures.length) t.fail(`${c.label}: ${failures.join('; ')}`)
    else t.pass(c.label)
  }
})

t.test('every distinct output passes bird -p / bird6 -p', async (t) => {
  const list = [...texts.values()]
  t.ok(list.length > 10, `${list.length} distinct files`)
  const results = await birdCheckTexts(list)
  results.forEach((r, i) => t.ok(r.ok, `${list[i]!.label} (bird${list[i]!.family === 6 ? '6' : ''}): ${r.message || 'ok'}`))
})
