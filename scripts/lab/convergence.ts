import { LabError, type Lab, type LabNode } from './lab.js'
import { sessionProblem, type ExpectedPeers, type NodeStatus } from './status.js'
import { canonicalCidr, TOR_V4, TOR_V6 } from './topology.js'

/**
 * Waiting for the lab to converge: sessions Established, every node's blocks routed by
 * every other node, the ToR holding every node's blocks. Each wait is bounded and, when it
 * gives up, says what is still missing.
 */

export interface NodeBlocks {
  readonly v4: readonly string[]
  readonly v6: readonly string[]
}

/** The sessions a node has in the lab's standard shape: the full mesh, plus the ToR. */
export function expectedPeers(lab: Lab, node: LabNode, opts: { mesh?: boolean; tor?: boolean } = {}): ExpectedPeers {
  const others = opts.mesh === false ? [] : lab.nodes.filter((n) => n !== node)
  const tor = opts.tor ?? lab.withTor
  return {
    v4: [...others.map((n) => n.plan.ipv4), ...(tor ? [TOR_V4] : [])],
    v6: [...others.map((n) => n.plan.ipv6), ...(tor ? [TOR_V6] : [])],
  }
}

export interface WaitEstablishedOptions {
  readonly timeoutMs?: number
  /** Default: `expectedPeers(lab, node)`. */
  readonly expect?: (node: LabNode) => ExpectedPeers
  /** false: at least the expected sessions (others may exist, in any state). Default true. */
  readonly exact?: boolean
}

/**
 * Waits until every node's `falconer node status` shows its expected sessions, all
 * Established. Resolves with the last status of each node; the error names each node's
 * last problem.
 */
export async function waitEstablished(lab: Lab, opts: WaitEstablishedOptions = {}): Promise<Map<string, NodeStatus>> {
  const expect = opts.expect ?? ((n: LabNode) => expectedPeers(lab, n))
  const problems = new Map<string, string>()
  const statuses = new Map<string, NodeStatus>()
  const check = async (n: LabNode): Promise<boolean> => {
    try {
      const s = await lab.nodeStatus(n)
      statuses.set(n.name, s)
      const p = sessionProblem(s, expect(n), { exact: opts.exact ?? true })
      if (p === undefined) problems.delete(n.name)
      else problems.set(n.name, p)
      return p === undefined
    } catch (err) {
      problems.set(n.name, err instanceof Error ? err.message : String(err))
      return false
    }
  }
  try {
    await lab.waitFor('every BGP session to be Established', async () => (await Promise.all(lab.nodes.map(check))).every(Boolean), opts.timeoutMs ?? 120_000, 1_000)
  } catch (err) {
    const detail = [...problems].map(([n, p]) => `  ${n}: ${p}`).join('\n')
    throw new LabError(`${err instanceof Error ? err.message : String(err)}\n${detail}`, { cause: err })
  }
  return statuses
}

/** Every node's blocks, both families, from etcd; fails when a node has none of a family. */
export async function allBlocks(lab: Lab): Promise<Map<string, NodeBlocks>> {
  const out = new Map<string, NodeBlocks>()
  for (const n of lab.nodes) {
    const v4 = await lab.blocksOf(n, 4)
    const v6 = await lab.blocksOf(n, 6)
    if (v4.length === 0 || v6.length === 0) throw new LabError(`${n.name} has no IPv4 or IPv6 block (v4: ${v4.join()}, v6: ${v6.join()})`)
    out.set(n.name, { v4, v6 })
  }
  return out
}

/**
 * Waits until every node's kernel has a route from its BGP speaker (`proto bird`, or 186 on a
 * GoBGP node) to every other node's blocks,
 * IPv4 and IPv6. Resolves with the blocks of each node.
 */
export async function waitMeshRoutes(lab: Lab, timeoutMs = 60_000): Promise<Map<string, NodeBlocks>> {
  const blocks = await allBlocks(lab)
  let missing: string[] = []
  await lab.waitFor("every node to have kernel routes to the other nodes' blocks", async () => {
    missing = []
    for (const n of lab.nodes) {
      for (const family of [4, 6] as const) {
        const have = new Set((await lab.programmedRoutes(n, family)).map((r) => canonicalCidr(r.dst)))
        for (const other of lab.nodes.filter((o) => o !== n)) {
          for (const b of blocks.get(other.name)?.[family === 4 ? 'v4' : 'v6'] ?? []) {
            if (!have.has(b)) missing.push(`${n.name} lacks ${b} (${other.name})`)
          }
        }
      }
    }
    return missing.length === 0
  }, timeoutMs, 1_000).catch((err: unknown) => {
    throw new LabError(`${err instanceof Error ? err.message : String(err)}: ${missing.join(', ')}`, { cause: err })
  })
  return blocks
}

/** Waits until the ToR has learned each node's blocks from that node itself, both families. */
export async function waitTorRoutes(lab: Lab, timeoutMs = 60_000): Promise<void> {
  const blocks = await allBlocks(lab)
  let missing: string[] = []
  await lab.waitFor("the top-of-rack router to learn every node's blocks", async () => {
    missing = []
    for (const family of [4, 6] as const) {
      const rib = await lab.torRib(family)
      for (const n of lab.nodes) {
        const from = canonicalCidr(family === 4 ? n.plan.ipv4 : n.plan.ipv6)
        for (const b of blocks.get(n.name)?.[family === 4 ? 'v4' : 'v6'] ?? []) {
          if (!rib.some((p) => canonicalCidr(p.prefix) === b && canonicalCidr(p.neighbor) === from)) missing.push(`${b} from ${from}`)
        }
      }
    }
    return missing.length === 0
  }, timeoutMs, 1_000).catch((err: unknown) => {
    throw new LabError(`${err instanceof Error ? err.message : String(err)}: missing ${missing.join(', ')}`, { cause: err })
  })
}
