import type { Node } from '../../api/types.js'
import type { IPFamily as IpFamily } from '../../api/validate/index.js'
import { knownByKey, type KnownResources } from '../../datastore/snapshot-state.js'
import type { IpamStore, ResourceStore } from '../../datastore/store.js'
import type { AutodetectMethod } from '../autodetect/method.js'
import type { ForwardingResult } from '../forwarding.js'
import type { Iface } from '../interfaces.js'
import { resolveNodeNameWithSource } from '../nodename.js'
import { decideAddress, needsAutodetect, type AddressDecision, type AutodetectOutcome } from './addresses.js'
import { ensureBlocks, type BlockClaims } from './block-affinity.js'
import { changeLines, checkAddressConflicts, conflictLine } from './conflicts.js'
import { ensureDefaultPools } from './default-pools.js'
import { StartupError } from './errors.js'
import { writeNodenameFile } from './nodename-file.js'
import { decideAsNumber, registerNode } from './register-node.js'
import type { NodeRunConfig } from './run-config.js'
import type { Say } from './say.js'
import { DEFAULT_WAIT, waitForDatastore } from './wait-for-datastore.js'

/**
 * calico/node's startup, step by step (each step in its own file): forwarding, datastore,
 * node name, routing addresses, conflicts, AS number, the Node resource, default pools,
 * block affinities, the nodename file. Effects come in through `deps`, so the sequence
 * itself is plain code that tests drive against a real etcd.
 */

export type StartupStore = ResourceStore & IpamStore

export interface StartupDeps {
  readonly openStore: () => Promise<StartupStore>
  readonly listInterfaces: () => Promise<Iface[]>
  /** Runs autodetection over `ifaces` (can-reach also asks the kernel). */
  readonly autodetect: (method: AutodetectMethod, family: IpFamily, ifaces: readonly Iface[]) => Promise<AutodetectOutcome>
  readonly enableForwarding: (say: Say) => Promise<ForwardingResult>
  readonly randomUla?: () => string
  /** Host name fallback for the node name (default os.hostname()). */
  readonly hostname?: string
  readonly wait?: { readonly timeoutMs: number; readonly intervalMs: number }
}

export interface StartupInput {
  readonly config: NodeRunConfig
  readonly nodenameFile: string
  readonly endpoints: readonly string[]
  /** Aborts the wait for etcd (the other steps are short and bounded). */
  readonly signal?: AbortSignal
}

export interface StartupResult {
  readonly nodeName: string
  /** As stored, with its resourceVersion. */
  readonly node: Node
  /** CIDR form, e.g. `10.99.0.2/24`. */
  readonly addresses: { readonly ipv4?: string; readonly ipv6?: string }
  readonly blocks: BlockClaims
  readonly poolsCreated: readonly string[]
  /**
   * The Nodes listed for the address-conflict check, by key, for the agent's initial list
   * (which reads them again moments later): handed out once, then dropped.
   */
  readonly takeListedNodes: () => KnownResources | undefined
}

export async function runStartup(input: StartupInput, deps: StartupDeps, say: Say): Promise<StartupResult> {
  const { config } = input
  const named = resolveNodeNameWithSource({
    name: config.nodeName?.value,
    nodenameFile: input.nodenameFile,
    ...(deps.hostname !== undefined && { hostname: deps.hostname }),
  })
  const nodeName = named.name
  if (named.source === 'hostname') {
    say('WARNING: Using auto-detected node name. It is recommended that an explicit value is supplied using --node or NODENAME.')
  }

  const forwarding = await deps.enableForwarding(say)

  const store = await waitForDatastore(deps.openStore, say, {
    ...DEFAULT_WAIT,
    timeoutMs: config.datastoreWaitMs,
    ...deps.wait,
    endpoints: input.endpoints,
    ...(input.signal !== undefined && { signal: input.signal }),
  })
  try {
    const existing = await store.get('Node', nodeName)
    if (existing === undefined) say(`Building new node resource for '${nodeName}'`)

    const ifaces = await deps.listInterfaces()
    const ipv4 = await decideFamily(4, config, existing, ifaces, deps)
    const ipv6 = await decideFamily(6, config, existing, ifaces, deps)
    for (const line of [...ipv4.lines, ...ipv6.lines]) say(line)

    const addresses = {
      ...(ipv4.address !== undefined && { ipv4: ipv4.address }),
      ...(ipv6.address !== undefined && { ipv6: ipv6.address }),
    }
    const listedNodes = await store.list('Node')
    const check = checkAddressConflicts(nodeName, addresses, listedNodes)
    for (const change of check.changes) for (const line of changeLines(nodeName, change)) say(line)
    if (check.conflicts.length > 0) {
      const autodetected = check.conflicts.some((c) => (c.family === 4 ? ipv4 : ipv6).autodetected)
      const [first, ...more] = check.conflicts
      throw new StartupError(conflictLine(first!), [
        ...more.map(conflictLine),
        'Check the node configuration to remove the IP address conflict',
        ...(autodetected
          ? ['The address was autodetected: choose another method (--ip-autodetection-method / --ip6-autodetection-method) or give the address with --ip / --ip6']
          : []),
      ])
    }

    // In policy-only mode (backend none) calico/node leaves the BGP AS alone.
    const as = config.backend !== 'none' ? decideAsNumber(config.asNumber, existing?.spec.bgp?.asNumber) : undefined
    if (as !== undefined) say(as.line)

    const { node } = await registerNode(store, nodeName, {
      ipv4Address: ipv4.address,
      ipv6Address: ipv6.address,
      asNumber: as?.asNumber ?? 'keep',
    })

    const created = await ensureDefaultPools(store, config.defaultPools, forwarding.ipv6, say, deps.randomUla)

    const families: IpFamily[] = [...(ipv4.address !== undefined ? [4 as const] : []), ...(ipv6.address !== undefined ? [6 as const] : [])]
    const blocks = await ensureBlocks(store, node, families, await store.list('IPPool'), say)

    await writeNodenameFile(input.nodenameFile, nodeName)
    say(`Using node name: ${nodeName}`)
    let listing: KnownResources | undefined = knownByKey(listedNodes)
    const takeListedNodes = () => {
      const out = listing
      listing = undefined
      return out
    }
    return { nodeName, node, addresses, blocks, poolsCreated: created.map((p) => p.metadata.name), takeListedNodes }
  } finally {
    await store.close().catch(() => undefined)
  }
}

async function decideFamily(
  family: IpFamily,
  config: NodeRunConfig,
  existing: Node | undefined,
  ifaces: readonly Iface[],
  deps: StartupDeps,
): Promise<AddressDecision> {
  const setting = family === 4 ? config.ipv4 : config.ipv6
  const autodetection = family === 4 ? config.ipv4Autodetection : config.ipv6Autodetection
  const stored = family === 4 ? existing?.spec.bgp?.ipv4Address : existing?.spec.bgp?.ipv6Address
  const detected = needsAutodetect(family, setting, stored) ? await deps.autodetect(autodetection.method, family, ifaces) : undefined
  return decideAddress({ family, setting, autodetection, stored, ifaces, ...(detected !== undefined && { detected }) })
}
