/**
 * What the lab reads back: `falconer node status -o json`, gobgp's RIB, the kernel's
 * routes. Only the fields the lab and the tests use are typed; parsing is pure.
 */

export interface PeerStatus {
  readonly peerAddress: string
  readonly peerType: string
  /** NodeMesh | NodePeer | GlobalPeer */
  readonly type: string
  readonly protocol: string
  /** BIRD's protocol state: up, start, … */
  readonly state: string
  readonly since: string
  /** Established, Active, Connect, … */
  readonly bgpState: string
  readonly info: string
}

export type FamilyStatus =
  | { readonly running: false; readonly daemon: string; readonly reason: string }
  | { readonly running: true; readonly daemon: string; readonly peers: readonly PeerStatus[] }

export interface NodeStatus {
  readonly running: boolean
  readonly ipv4: FamilyStatus
  readonly ipv6: FamilyStatus
}

export type Family = 4 | 6

export function parseNodeStatus(json: string): NodeStatus {
  const v = JSON.parse(json) as NodeStatus
  if (typeof v !== 'object' || v === null || !('ipv4' in v) || !('ipv6' in v)) {
    throw new SyntaxError(`not a node status document: ${json.slice(0, 200)}`)
  }
  return v
}

export function peersOf(status: NodeStatus, family: Family): readonly PeerStatus[] {
  const f = family === 4 ? status.ipv4 : status.ipv6
  return f.running ? f.peers : []
}

/** The sessions a node should have, by peer address, per family. */
export interface ExpectedPeers {
  readonly v4: readonly string[]
  readonly v6: readonly string[]
}

/**
 * Why `status` does not (yet) show exactly the expected sessions, all Established;
 * undefined when it does. `exact: false`: other sessions may exist, in any state.
 */
export function sessionProblem(status: NodeStatus, expected: ExpectedPeers, opts: { exact?: boolean } = {}): string | undefined {
  for (const family of [4, 6] as const) {
    const f = family === 4 ? status.ipv4 : status.ipv6
    if (!f.running) return `${f.daemon} is not running (${f.reason})`
    const want = [...(family === 4 ? expected.v4 : expected.v6)].sort()
    const have = f.peers.map((p) => p.peerAddress).sort()
    const listed = opts.exact === false ? want.every((w) => have.includes(w)) : want.join() === have.join()
    if (!listed) return `IPv${family} peers are [${have.join(', ')}], expected ${opts.exact === false ? 'at least ' : ''}[${want.join(', ')}]`
    const down = f.peers.filter((p) => want.includes(p.peerAddress) && p.bgpState !== 'Established')
    if (down.length > 0) return `IPv${family} not Established: ${down.map((p) => `${p.peerAddress} ${p.state} ${p.bgpState} ${p.info}`.trim()).join('; ')}`
  }
  return undefined
}

// ─── gobgp ──────────────────────────────────────────────────────────────────

export interface RibPath {
  readonly prefix: string
  /** The neighbor the path was learned from. */
  readonly neighbor: string
  readonly best: boolean
  readonly stale: boolean
}

/**
 * `gobgp global rib -a ipv4|ipv6 -j`: an object keyed by prefix, each a list of paths.
 * An empty RIB prints nothing (or `{}`).
 */
export function parseGobgpRib(json: string): RibPath[] {
  if (json.trim() === '' || json.trim() === 'null') return []
  const byPrefix = JSON.parse(json) as Record<string, GobgpPath[] | null>
  const out: RibPath[] = []
  for (const [prefix, paths] of Object.entries(byPrefix)) {
    for (const p of paths ?? []) {
      out.push({ prefix, neighbor: p['neighbor-ip'] ?? p['source-id'] ?? '', best: p.best === true, stale: p.stale === true })
    }
  }
  return out.sort((a, b) => a.prefix.localeCompare(b.prefix) || a.neighbor.localeCompare(b.neighbor))
}

interface GobgpPath {
  readonly 'neighbor-ip'?: string
  readonly 'source-id'?: string
  readonly best?: boolean
  readonly stale?: boolean
}

// ─── kernel ─────────────────────────────────────────────────────────────────

export interface KernelRoute {
  readonly dst: string
  readonly gateway?: string
  readonly dev?: string
  readonly protocol?: string
  readonly type?: string
}

/** `ip -j route show`: `dst` is `default`, an address, or a CIDR. */
export function parseIpRoutes(json: string): KernelRoute[] {
  if (json.trim() === '') return []
  return JSON.parse(json) as KernelRoute[]
}
