import { existsSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import {
  addAddress, addBridge, addVeth, createNetns, exec, forceRemoveNetnsSync, linkDown, linkUp, listNetns, removeStaleNamespaces, setMaster,
  sysctl, Teardowns, type Netns,
} from '../../test/helpers/netns.js'
import { removeDirSync } from './emergency.js'
import { renderGobgpConfig } from './gobgp-config.js'
import { LabProcess, tailOf } from './processes.js'
import { torPeersManifest } from './manifests.js'
import { parseGobgpRib, parseIpRoutes, parseNodeStatus, type Family, type KernelRoute, type NodeStatus, type RibPath } from './status.js'
import {
  canonicalCidr, cidrFromKeySegment, ETCD_ENDPOINT, ETCD_LINK_ENDPOINT, ETCD_LINK_V4, ETCD_MEMBERS_V4, ETCD_PEER_PORT, ETCD_PORT, INFRA_V4, INFRA_V6, LAN_PREFIX_V4, LAN_PREFIX_V6, nodePlan,
  NODE_AS, POOL_V4, POOL_V6, TOR_API, TOR_AS, TOR_V4, TOR_V6, type NodePlan,
} from './topology.js'

/**
 * A multi-node falconer lab: N node namespaces on a bridge in an infrastructure
 * namespace, etcd there (10.99.0.1:2379), a gobgpd top-of-rack router in its own namespace
 * (10.99.0.2, AS 65000) as a global BGP peer, and in each node namespace a falconer agent
 * started as an operator would (`falconer node run --init-system …`), which runs its own
 * bird and bird6. Used by scripts/demo.sh (through main.ts) and by test/e2e.
 *
 * Everything is torn down by `down()` — processes by PID, then namespaces, then the lab
 * directory — also when `up()` fails half way. Namespaces are `fa-<name>-…`; stale ones of
 * the same name (from a killed run, or a `--keep` demo) are removed at start.
 */

/**
 * How the nodes reach etcd. 'shared' (default): one etcd on the bridge, beside BGP.
 * 'separate-link': one etcd, reached over a second link per node (eth1 on bridge br1), so
 * cutting that link isolates a node from etcd while its BGP sessions carry on.
 * 'cluster': three etcd members on the bridge; the agents are given all three endpoints.
 */
export type EtcdLayout = 'shared' | 'separate-link' | 'cluster'

export interface LabOptions {
  /** Namespace prefix (`fa-<name>-node1`): lower-case letters and digits, short. */
  readonly name: string
  readonly nodes: number
  /** Default: /tmp/falconer-lab-<name>. Wiped at start and at `down()`. */
  readonly dir?: string
  /** Start the gobgpd top-of-rack router and add it as a global BGP peer (default true). */
  readonly tor?: boolean
  /** Progress lines (the demo prints them; tests usually leave them out). */
  readonly say?: (line: string) => void
  /** The repository whose bin/falconer runs (default: found from this file). */
  readonly repoRoot?: string
  /**
   * Names unique to this run (`fa-e1-n1-3fa9`, /tmp/falconer-lab-e1-3fa9), so the same lab
   * can run twice at once (the suite in two checkouts); lab names of at most 3 characters.
   * Default: stable names (`fa-demo-node1`, /tmp/falconer-lab-demo), as the demo prints them.
   */
  readonly unique?: boolean
  readonly etcd?: EtcdLayout
  /** Extra environment for every agent (e.g. FALCONER_DATASTORE_TIMEOUT). */
  readonly agentEnv?: Readonly<Record<string, string>>
  /**
   * Which nodes run BIRD 2 instead of BIRD 1.6 (1-based indices, or 'all'); their agents
   * get FALCONER_BIRD_BIN pointing at `bird2Bin`. Default: none.
   */
  readonly bird2Nodes?: readonly number[] | 'all'
  /** The BIRD 2 executable (default: .deps/bird2/usr/sbin/bird, from scripts/install-bird2.sh). */
  readonly bird2Bin?: string
  /**
   * Which nodes run the GoBGP backend (`--backend=gobgp`: gobgpd, with falconer programming
   * the kernel under protocol 186) instead of BIRD (1-based indices). Default: none.
   */
  readonly gobgpNodes?: readonly number[]
}

/** The BGP speaker a lab node runs. */
export type LabBackend = 'bird1' | 'bird2' | 'gobgp'

/** The kernel routing protocol falconer's GoBGP backend programs routes under. */
export const GOBGP_ROUTE_PROTOCOL = 186
/** How `ip` may print protocol 186: by number, or by the name an rt_protos file gives it. */
export const GOBGP_ROUTE_PROTOCOL_NAMES: readonly string[] = [String(GOBGP_ROUTE_PROTOCOL), 'bgp', 'falconer']

export interface LabNode {
  readonly plan: NodePlan
  readonly name: string
  readonly ns: Netns
  readonly backend: LabBackend
  /**
   * 1: BIRD 1.6 (bird + bird6); 2: BIRD 2, one daemon at birdSocket/birdPid for both
   * families; undefined on a GoBGP node.
   */
  readonly birdGeneration: 1 | 2 | undefined
  /** The BIRD 2 executable a generation-2 node runs (FALCONER_BIRD_BIN of its agent). */
  readonly bird2Bin?: string
  /** The agent's --prefix: every path of this node (configs, sockets, logs) lives under it. */
  readonly prefix: string
  readonly birdConfig: string
  readonly bird6Config: string
  readonly birdSocket: string
  readonly bird6Socket: string
  readonly birdPid: string
  readonly bird6Pid: string
  /** gobgpd's API socket on a GoBGP node. */
  readonly gobgpSocket: string
  readonly log: string
}

export interface CommandResult {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

export class LabError extends Error {
  override readonly name = 'LabError'
}

/** Raised inside `up()` once `down()` has been asked for (Ctrl-C). */
export class LabAborted extends LabError {}

/** A lab process died: waiting any longer cannot help. */
export class LabProcessExited extends LabError {}

const GOBGP_API = `${TOR_API.host}:${TOR_API.port}`
/** A unique lab's directory without namespaces is stale once it is this old. */
const STALE_DIR_MS = 120_000

export class Lab {
  readonly name: string
  readonly dir: string
  readonly repoRoot: string
  readonly bin: string
  readonly withTor: boolean
  readonly etcdLayout: EtcdLayout
  readonly #agentEnv: Readonly<Record<string, string>>
  /** Set with `unique`: the suffix that tells this run's namespaces and directory apart. */
  readonly runId: string | undefined
  infra: Netns | undefined
  tor: Netns | undefined

  readonly #say: (line: string) => void
  readonly #teardowns = new Teardowns()
  readonly #nodeCount: number
  readonly #bird2Nodes: readonly number[] | 'all'
  readonly #gobgpNodes: readonly number[]
  readonly bird2Bin: string
  #nodes: LabNode[] = []
  readonly #namespaces: Netns[] = []
  readonly #agents = new Map<string, LabProcess>()
  #etcd: LabProcess | undefined
  /** With `etcd: 'cluster'`: the members, in the order of ETCD_MEMBERS_V4 (undefined once killed). */
  #etcdMembers: (LabProcess | undefined)[] = []
  #gobgpd: LabProcess | undefined
  #torNodeAs = NODE_AS
  #closing = false
  #finished = false
  #up: Promise<void> | undefined
  #down: Promise<void> | undefined

  constructor(opts: LabOptions) {
    // Namespace names are at most 15 characters: `fa-NAME-node12` or `fa-NAM-n12-abcd`.
    const max = opts.unique ? 3 : 5
    if (!new RegExp(`^[a-z0-9]{1,${max}}$`).test(opts.name)) throw new LabError(`lab name "${opts.name}": 1-${max} lower-case letters or digits`)
    this.name = opts.name
    this.#nodeCount = opts.nodes
    for (let i = 1; i <= opts.nodes; i++) nodePlan(i) // validates the count early
    this.runId = opts.unique ? randomBytes(2).toString('hex') : undefined
    this.dir = opts.dir ?? labDir(opts.name, this.runId)
    this.repoRoot = opts.repoRoot ?? findRepoRoot()
    this.bin = join(this.repoRoot, 'bin/falconer')
    this.withTor = opts.tor ?? true
    this.etcdLayout = opts.etcd ?? 'shared'
    this.#agentEnv = opts.agentEnv ?? {}
    this.#bird2Nodes = opts.bird2Nodes ?? []
    this.bird2Bin = opts.bird2Bin ?? join(this.repoRoot, '.deps/bird2/usr/sbin/bird')
    if (this.#bird2Nodes === 'all' || this.#bird2Nodes.length > 0) {
      if (!existsSync(this.bird2Bin)) throw new LabError(`BIRD 2 is not unpacked at ${this.bird2Bin}: run scripts/install-deps.sh`)
    }
    this.#gobgpNodes = opts.gobgpNodes ?? []
    const bird2 = this.#bird2Nodes
    if (bird2 === 'all' ? this.#gobgpNodes.length > 0 : this.#gobgpNodes.some((i) => bird2.includes(i))) {
      throw new LabError('a node runs either BIRD 2 or GoBGP, not both')
    }
    this.#say = opts.say ?? (() => {})
  }

  /** The nodes, in order (node-1 first); filled in by `up()`. */
  get nodes(): readonly LabNode[] {
    return this.#nodes
  }

  /** Builds and starts everything; on failure tears it all down and throws with the logs. */
  up(): Promise<void> {
    this.#up ??= this.#bringUp()
    return this.#up
  }

  /** Stops every process (by PID), deletes the namespaces and the lab directory. Idempotent. */
  down(): Promise<void> {
    this.#down ??= this.#tearDown()
    return this.#down
  }

  /**
   * Leaves the lab running after this process exits (the demo's --keep): nothing is torn
   * down now; `Lab.clean(name)` (the demo's --down) removes it later.
   */
  detach(): void {
    this.#finished = true
    this.#closing = true
    this.#down = Promise.resolve()
  }

  /**
   * Synchronous, disorderly teardown for when no time is left (a signal the runner follows
   * with SIGKILL, or process exit): SIGKILL every process of every lab namespace, delete
   * the namespaces and the lab directory. Safe to call at any point, also twice.
   */
  destroySync(): void {
    if (this.#finished) return
    this.#finished = true
    this.#closing = true
    this.#down ??= Promise.resolve()
    for (const p of [...this.#agents.values(), this.#gobgpd, this.#etcd, ...this.#etcdMembers]) p?.signal('SIGKILL')
    for (const ns of [...this.#namespaces].reverse()) forceRemoveNetnsSync(ns.name)
    removeDirSync(this.dir)
  }

  /** True once the lab is gone (or handed over with `detach()`): nothing left to clean up. */
  get finished(): boolean {
    return this.#finished
  }

  /** Removes a lab left running (`--keep`) or left behind by a killed run. */
  static async clean(name: string, dir = labDir(name, undefined)): Promise<string[]> {
    const removed = await removeStaleNamespaces(name)
    const live = (await listNetns()).filter((n) => n.startsWith(`fa-${name}-`))
    if (live.length > 0) {
      throw new LabError(`lab ${name} is in use by a running process (namespaces ${live.join(' ')}): stop that first`)
    }
    await rm(dir, { recursive: true, force: true, maxRetries: 5 })
    return removed
  }

  /**
   * For `unique` labs: removes the namespaces of earlier runs whose process is gone, and
   * their directories; runs still in progress (another checkout's suite) are left alone,
   * including one that has made its directory but not yet its first namespace.
   */
  static async cleanStaleRuns(name: string): Promise<string[]> {
    const removed = await removeStaleNamespaces(name)
    const live = await listNetns()
    const dirPrefix = `falconer-lab-${name}-`
    for (const entry of await readdir('/tmp')) {
      const id = entry.startsWith(dirPrefix) ? entry.slice(dirPrefix.length) : ''
      if (!/^[0-9a-f]{4}$/.test(id) || live.some((n) => n.startsWith(`fa-${name}-`) && n.endsWith(`-${id}`))) continue
      const dir = join('/tmp', entry)
      if (Date.now() - (await stat(dir)).mtimeMs < STALE_DIR_MS) continue
      await rm(dir, { recursive: true, force: true, maxRetries: 5 })
    }
    return removed
  }

  // ─── bring-up ─────────────────────────────────────────────────────────────

  async #bringUp(): Promise<void> {
    try {
      await this.#build()
    } catch (err) {
      if (err instanceof LabAborted || this.#closing) throw err
      const logs = this.logs()
      await this.down()
      const why = err instanceof Error ? err.message : String(err)
      throw new LabError(`lab ${this.name} did not come up: ${why}\n${logs}`, { cause: err })
    }
  }

  #check(): void {
    if (this.#closing) throw new LabAborted(`lab ${this.name}: stopped while starting`)
  }

  async #build(): Promise<void> {
    const stale = this.runId === undefined ? await Lab.clean(this.name, this.dir) : await Lab.cleanStaleRuns(this.name)
    if (stale.length > 0) this.#say(`removed stale lab namespaces: ${stale.join(' ')}`)
    this.#check()
    await mkdir(join(this.dir, 'logs'), { recursive: true })
    this.#teardowns.teardown(() => rm(this.dir, { recursive: true, force: true, maxRetries: 5 }))

    const infra = await this.#createNetns(this.#suffix('infra', 'in'))
    this.infra = infra
    this.#say(`network: namespaces fa-${this.name}-*, bridge br0 ${INFRA_V4}/${LAN_PREFIX_V4} ${INFRA_V6}/${LAN_PREFIX_V6} in ${infra.name}`)
    await addBridge(infra, 'br0')
    await addAddress(infra, 'br0', `${INFRA_V4}/${LAN_PREFIX_V4}`)
    await addAddress(infra, 'br0', `${INFRA_V6}/${LAN_PREFIX_V6}`, { nodad: true })
    await linkUp(infra, 'br0')
    if (this.etcdLayout === 'separate-link') {
      await addBridge(infra, 'br1')
      await addAddress(infra, 'br1', `${ETCD_LINK_V4}/${LAN_PREFIX_V4}`)
      await linkUp(infra, 'br1')
    }
    if (this.etcdLayout === 'cluster') {
      for (const a of ETCD_MEMBERS_V4) await addAddress(infra, 'br0', `${a}/${LAN_PREFIX_V4}`)
    }

    for (let i = 1; i <= this.#nodeCount; i++) {
      this.#check()
      const plan = nodePlan(i)
      const ns = await this.#attach(this.#suffix(plan.nsSuffix, `n${plan.index}`), plan.bridgePort, plan.ipv4, plan.ipv6)
      if (this.etcdLayout === 'separate-link') {
        await addVeth(infra, plan.etcdLinkPort, 'eth1', { peerNs: ns })
        await setMaster(infra, plan.etcdLinkPort, 'br1')
        await linkUp(infra, plan.etcdLinkPort)
        await addAddress(ns, 'eth1', `${plan.etcdLinkV4}/${LAN_PREFIX_V4}`)
        await linkUp(ns, 'eth1')
      }
      this.#nodes.push(this.#node(plan, ns))
    }
    if (this.withTor) this.tor = await this.#attach(this.#suffix('tor', 'tor'), 'vtor', TOR_V4, TOR_V6)

    for (const n of this.#nodes) this.#say(`${n.name}: ${n.ns.name}, eth0 ${n.plan.ipv4}/${LAN_PREFIX_V4} ${n.plan.ipv6}/${LAN_PREFIX_V6}`)

    this.#check()
    if (this.etcdLayout === 'cluster') {
      await this.#startEtcdCluster()
      this.#say(`etcd: ${this.etcdEndpoints} (pids ${this.#etcdMembers.map((m) => m?.pid).join(' ')})`)
    } else {
      await this.startEtcd()
      this.#say(`etcd: ${this.etcdEndpoints} (pid ${this.#etcd?.pid})`)
    }
    if (this.withTor) {
      this.#check()
      await this.startTor()
      this.#say(`top-of-rack: gobgpd AS ${TOR_AS} at ${TOR_V4} ${TOR_V6} in ${this.tor?.name} (pid ${this.#gobgpd?.pid}), expecting nodes in AS ${this.#torNodeAs}`)
      await this.#applyTorPeers()
      this.#say(`falconer apply -f tor-peers.yaml: global BGPPeers ${TOR_V4} and ${TOR_V6}, AS ${TOR_AS}`)
    }

    // The first node creates the IP pools; the others start once they exist.
    const [first, ...rest] = this.#nodes
    if (first !== undefined) await this.startAgent(first)
    await Promise.all(rest.map((n) => this.startAgent(n)))
  }

  /** The agent's command line, as an operator types it in the node (relative to the repository). */
  agentCommand(node: LabNode): string[] {
    const backend = node.backend === 'gobgp' ? ['--backend=gobgp'] : []
    return ['node', 'run', '--init-system', '--name', node.name, '--ip', node.plan.ipv4, '--ip6', node.plan.ipv6, '--prefix', node.prefix, ...backend]
  }

  /** `node1` for a stable lab, `n1-3fa9` for a unique one. */
  #suffix(stable: string, short: string): string {
    return this.runId === undefined ? stable : `${short}-${this.runId}`
  }

  async #createNetns(suffix: string): Promise<Netns> {
    const ns = await createNetns(this.#teardowns, this.name, { suffix, ipv6Dad: false })
    this.#namespaces.push(ns)
    return ns
  }

  /** A namespace with eth0 on the bridge, forwarding on, the given addresses. */
  async #attach(suffix: string, bridgePort: string, ipv4: string, ipv6: string): Promise<Netns> {
    const infra = this.#infra()
    const ns = await this.#createNetns(suffix)
    await addVeth(infra, bridgePort, 'eth0', { peerNs: ns })
    await setMaster(infra, bridgePort, 'br0')
    await linkUp(infra, bridgePort)
    await addAddress(ns, 'eth0', `${ipv4}/${LAN_PREFIX_V4}`)
    await addAddress(ns, 'eth0', `${ipv6}/${LAN_PREFIX_V6}`, { nodad: true })
    await linkUp(ns, 'eth0')
    // Per-namespace sysctls: the host's own settings are never touched.
    await sysctl(ns, 'net.ipv4.ip_forward', 1)
    await sysctl(ns, 'net.ipv6.conf.all.forwarding', 1)
    return ns
  }

  #node(plan: NodePlan, ns: Netns): LabNode {
    const prefix = join(this.dir, plan.name)
    const run = join(prefix, 'var/run/calico')
    const conf = join(prefix, 'etc/calico/confd/config')
    const backend: LabBackend = this.#gobgpNodes.includes(plan.index)
      ? 'gobgp'
      : this.#bird2Nodes === 'all' || this.#bird2Nodes.includes(plan.index) ? 'bird2' : 'bird1'
    return {
      plan,
      name: plan.name,
      ns,
      backend,
      birdGeneration: backend === 'gobgp' ? undefined : backend === 'bird2' ? 2 : 1,
      ...(backend === 'bird2' && { bird2Bin: this.bird2Bin }),
      prefix,
      birdConfig: join(conf, 'bird.cfg'),
      bird6Config: join(conf, 'bird6.cfg'),
      birdSocket: join(run, 'bird.ctl'),
      bird6Socket: join(run, 'bird6.ctl'),
      birdPid: join(run, 'bird.pid'),
      bird6Pid: join(run, 'bird6.pid'),
      gobgpSocket: join(run, 'gobgp.sock'),
      log: join(this.dir, 'logs', `${plan.name}.log`),
    }
  }

  #infra(): Netns {
    if (this.infra === undefined) throw new LabError(`lab ${this.name}: the infrastructure namespace does not exist`)
    return this.infra
  }

  #torNs(): Netns {
    if (this.tor === undefined) throw new LabError(`lab ${this.name} has no top-of-rack router`)
    return this.tor
  }

  // ─── etcd ─────────────────────────────────────────────────────────────────

  get etcdLog(): string {
    return join(this.dir, 'logs', 'etcd.log')
  }

  /**
   * Starts etcd in the infrastructure namespace on the same data directory as before.
   * `hidden`: on that namespace's loopback only, so the agents (which reach 10.99.0.1)
   * still see an outage while the lab changes the data.
   */
  async startEtcd(opts: { hidden?: boolean } = {}): Promise<void> {
    if (this.etcdLayout === 'cluster') throw new LabError('startEtcd: this lab runs an etcd cluster')
    if (this.#etcd?.alive()) throw new LabError('etcd is already running')
    const infra = this.#infra()
    const local = `http://127.0.0.1:${ETCD_PORT}`
    const shown = this.etcdLayout === 'separate-link' ? [ETCD_ENDPOINT, ETCD_LINK_ENDPOINT] : [ETCD_ENDPOINT]
    const clients = opts.hidden ? local : [...shown, local].join(',')
    const peer = 'http://127.0.0.1:2380'
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('ETCD')))
    const etcd = await LabProcess.start({
      label: 'etcd',
      ns: infra,
      cmd: 'etcd',
      args: [
        '--name', 'lab',
        '--data-dir', join(this.dir, 'etcd'),
        '--listen-client-urls', clients,
        '--advertise-client-urls', opts.hidden ? local : ETCD_ENDPOINT,
        '--listen-peer-urls', peer,
        '--initial-advertise-peer-urls', peer,
        '--initial-cluster', `lab=${peer}`,
        '--initial-cluster-state', 'new',
        '--logger', 'zap',
        '--log-level', 'warn',
        '--log-outputs', 'stderr',
      ],
      log: this.etcdLog,
      env,
    })
    this.#etcd = etcd
    this.#teardowns.teardown(() => etcd.stop())
    await this.#waitFor('etcd to be healthy', async () => {
      if (!etcd.alive()) throw new LabProcessExited(`etcd exited:\n${etcd.logTail()}`)
      await this.etcdctl(['endpoint', 'health', '--command-timeout=2s'])
      return true
    }, 60_000)
  }

  /** SIGTERM etcd and wait for it to exit (the data directory stays). */
  async stopEtcd(): Promise<void> {
    await this.#etcd?.stop()
  }

  /** The single etcd's PID (not for `etcd: 'cluster'`), if it runs. */
  get etcdPid(): number | undefined {
    return this.#etcd?.alive() ? this.#etcd.pid : undefined
  }

  /** What the agents are given as ETCD_ENDPOINTS. */
  get etcdEndpoints(): string {
    switch (this.etcdLayout) {
      case 'shared':
        return ETCD_ENDPOINT
      case 'separate-link':
        return ETCD_LINK_ENDPOINT
      case 'cluster':
        return ETCD_MEMBERS_V4.map((a) => `http://${a}:${ETCD_PORT}`).join(',')
    }
  }

  etcdMemberLog(index: number): string {
    return join(this.dir, 'logs', `etcd-${index + 1}.log`)
  }

  /** The three members of an `etcd: 'cluster'` lab, started together; resolves once all are healthy. */
  async #startEtcdCluster(): Promise<void> {
    const infra = this.#infra()
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('ETCD')))
    const peerUrl = (a: string) => `http://${a}:${ETCD_PEER_PORT}`
    const cluster = ETCD_MEMBERS_V4.map((a, i) => `m${i + 1}=${peerUrl(a)}`).join(',')
    this.#etcdMembers = await Promise.all(ETCD_MEMBERS_V4.map(async (address, i) => {
      const member = await LabProcess.start({
        label: `etcd member ${i + 1}`,
        ns: infra,
        cmd: 'etcd',
        args: [
          '--name', `m${i + 1}`,
          '--data-dir', join(this.dir, `etcd-${i + 1}`),
          '--listen-client-urls', `http://${address}:${ETCD_PORT}`,
          '--advertise-client-urls', `http://${address}:${ETCD_PORT}`,
          '--listen-peer-urls', peerUrl(address),
          '--initial-advertise-peer-urls', peerUrl(address),
          '--initial-cluster', cluster,
          '--initial-cluster-state', 'new',
          '--initial-cluster-token', `fa-${this.name}`,
          // A lab's members share one host: shorter beats than the defaults make a
          // leader election take about a second instead of several.
          '--heartbeat-interval', '100',
          '--election-timeout', '1000',
          '--logger', 'zap',
          '--log-level', 'warn',
          '--log-outputs', 'stderr',
        ],
        log: this.etcdMemberLog(i),
        env,
      })
      this.#teardowns.teardown(() => member.stop())
      return member
    }))
    await this.#waitFor('every etcd member to be healthy', async () => {
      for (const m of this.#etcdMembers) if (!m?.alive()) throw new LabProcessExited(`${m?.record.label} exited:\n${m?.logTail()}`)
      await this.etcdctl(['endpoint', 'health', '--cluster', '--command-timeout=2s'])
      return true
    }, 60_000)
  }

  /** The index (into ETCD_MEMBERS_V4) of the cluster's current leader, as the members report it. */
  async etcdLeader(): Promise<number> {
    const out = await this.#etcdStatus()
    for (const line of out.split('\n')) {
      const fields = line.split(', ')
      if (fields[4] !== 'true') continue
      const index = ETCD_MEMBERS_V4.findIndex((a) => fields[0] === `http://${a}:${ETCD_PORT}`)
      if (index >= 0) return index
    }
    throw new LabError(`no etcd member says it is the leader:\n${out}`)
  }

  /**
   * `etcdctl endpoint status` of the live members (it fails as a whole when one is down):
   * "URL, ID, VERSION, DB SIZE, IS LEADER, IS LEARNER, …" per line.
   */
  async #etcdStatus(): Promise<string> {
    const live = ETCD_MEMBERS_V4.filter((_, i) => this.#etcdMembers[i]?.alive()).map((a) => `http://${a}:${ETCD_PORT}`)
    const r = await exec(this.#infra(), 'etcdctl', [`--endpoints=${live.join(',')}`, '--dial-timeout=2s', 'endpoint', 'status', '--command-timeout=2s'], {
      env: { ETCDCTL_API: '3' },
      timeoutMs: 30_000,
    })
    return r.stdout
  }

  /** How many watchers a cluster member serves (its etcd_debugging_mvcc_watcher_total gauge). */
  async etcdWatchers(index: number): Promise<number> {
    const address = ETCD_MEMBERS_V4[index]
    if (address === undefined) throw new LabError(`no etcd member ${index + 1}`)
    const r = await exec(this.#infra(), 'curl', ['-sS', '-m', '5', `http://${address}:${ETCD_PORT}/metrics`], { timeoutMs: 10_000 })
    const m = /^etcd_debugging_mvcc_watcher_total (\S+)$/m.exec(r.stdout)
    if (!m) throw new LabError(`etcd member ${index + 1} reports no watcher gauge`)
    return Number(m[1])
  }

  /** Hands the cluster's leadership to member `index` (`etcdctl move-leader`, asked of the current leader). */
  async moveEtcdLeader(index: number): Promise<void> {
    const out = await this.#etcdStatus()
    const url = (i: number) => `http://${ETCD_MEMBERS_V4[i]}:${ETCD_PORT}`
    const rows = out.split('\n').map((l) => l.split(', '))
    const id = rows.find((f) => f[0] === url(index))?.[1]
    const leader = rows.find((f) => f[4] === 'true')?.[0]
    if (id === undefined || leader === undefined) throw new LabError(`cannot find member ${index + 1} or the leader:\n${out}`)
    if (leader === url(index)) return
    await exec(this.#infra(), 'etcdctl', [`--endpoints=${leader}`, '--dial-timeout=2s', 'move-leader', id], { env: { ETCDCTL_API: '3' }, timeoutMs: 30_000 })
  }

  /** SIGKILL one cluster member (it stays down). */
  killEtcdMember(index: number): number | undefined {
    const m = this.#etcdMembers[index]
    if (m === undefined) throw new LabError(`etcd member ${index + 1} is not running`)
    const pid = m.pid
    m.signal('SIGKILL')
    this.#etcdMembers[index] = undefined
    return pid
  }

  /** Cuts a node's link toward etcd (`etcd: 'separate-link'`): its bridge port goes down. */
  async cutEtcdLink(node: LabNode): Promise<void> {
    if (this.etcdLayout !== 'separate-link') throw new LabError('cutEtcdLink needs a lab with etcd on a separate link')
    await linkDown(this.#infra(), node.plan.etcdLinkPort)
  }

  async restoreEtcdLink(node: LabNode): Promise<void> {
    if (this.etcdLayout !== 'separate-link') throw new LabError('restoreEtcdLink needs a lab with etcd on a separate link')
    await linkUp(this.#infra(), node.plan.etcdLinkPort)
  }

  /** etcdctl in the infrastructure namespace (etcd's loopback listener, or every member); stdout. */
  async etcdctl(args: readonly string[], opts: { input?: string } = {}): Promise<string> {
    const endpoints = this.etcdLayout === 'cluster' ? this.etcdEndpoints : `http://127.0.0.1:${ETCD_PORT}`
    const r = await exec(this.#infra(), 'etcdctl', [`--endpoints=${endpoints}`, '--dial-timeout=2s', ...args], {
      env: { ETCDCTL_API: '3' },
      timeoutMs: 30_000,
      ...(opts.input !== undefined && { input: opts.input }),
    })
    return r.stdout
  }

  /** The blocks affine to a node, from its IPAM affinity keys (`a.b.c.d/26`, `…/122`). */
  async blocksOf(node: LabNode, family: Family): Promise<string[]> {
    const prefix = `/calico/ipam/v2/host/${node.name}/ipv${family}/block/`
    const keys = (await this.etcdctl(['get', prefix, '--prefix', '--keys-only'])).split('\n').filter((k) => k.trim() !== '')
    return keys.map((k) => canonicalCidr(cidrFromKeySegment(k.slice(prefix.length)))).sort()
  }

  // ─── the falconer CLI ─────────────────────────────────────────────────────

  /** The environment an operator's shell on a lab node has (and nothing from this one's). */
  nodeEnv(): NodeJS.ProcessEnv {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !OPERATOR_ENV.test(k)))
    return { ...clean, DATASTORE_TYPE: 'etcdv3', ETCD_ENDPOINTS: this.etcdEndpoints }
  }

  /**
   * `falconer ARGS` inside a node's namespace with that node's --prefix (or inside the
   * infrastructure namespace), talking to the lab's etcd. Never rejects.
   */
  async falconer(where: LabNode | 'infra', args: readonly string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<CommandResult> {
    const ns = where === 'infra' ? this.#infra() : where.ns
    const prefix = where === 'infra' ? join(this.dir, 'infra') : where.prefix
    const r = await exec(ns, process.execPath, [this.bin, ...args, `--prefix=${prefix}`], {
      reject: false,
      env: onlyStrings({ ...this.nodeEnv(), ...(where !== 'infra' && this.#birdEnv(where)) }),
      timeoutMs: opts.timeoutMs ?? 60_000,
      ...(opts.input !== undefined && { input: opts.input }),
    })
    return { code: r.exitCode, stdout: r.stdout, stderr: r.stderr }
  }

  /** `falconer ARGS`, throwing with its output when it fails. */
  async falconerOk(where: LabNode | 'infra', args: readonly string[], opts: { input?: string } = {}): Promise<string> {
    const r = await this.falconer(where, args, opts)
    if (r.code !== 0) throw new LabError(`falconer ${args.join(' ')} exited ${r.code}:\n${r.stderr}${r.stdout}`)
    return r.stdout
  }

  /** `falconer apply -f FILE` with the manifest written under the lab directory. */
  async apply(fileName: string, manifest: string): Promise<string> {
    const file = join(this.dir, 'manifests', fileName)
    await mkdir(dirname(file), { recursive: true })
    await writeFile(file, manifest)
    return this.falconerOk('infra', ['apply', '-f', file])
  }

  async nodeStatus(node: LabNode): Promise<NodeStatus> {
    const r = await this.falconer(node, ['node', 'status', '-o', 'json'])
    if (r.stdout.trim() === '') throw new LabError(`node status on ${node.name} printed nothing (exit ${r.code}): ${r.stderr}`)
    return parseNodeStatus(r.stdout)
  }

  // ─── agents ───────────────────────────────────────────────────────────────

  /** `node bin/falconer node run --init-system …` in the node's namespace; resolves when it is ready. */
  async startAgent(node: LabNode): Promise<void> {
    if (this.#agents.get(node.name)?.alive()) throw new LabError(`the agent of ${node.name} is already running`)
    this.#check()
    await mkdir(node.prefix, { recursive: true })
    const from = await fileSize(node.log)
    const agent = await LabProcess.start({
      label: `agent ${node.name}`,
      ns: node.ns,
      cmd: process.execPath,
      args: [this.bin, ...this.agentCommand(node)],
      log: node.log,
      // Health and /metrics on the node's lab address, so a Prometheus in the lab can scrape it.
      env: {
        ...this.nodeEnv(),
        ...this.#birdEnv(node),
        CALICO_IPV4POOL_CIDR: POOL_V4,
        CALICO_IPV6POOL_CIDR: POOL_V6,
        FALCONER_HEALTH_HOST: node.plan.ipv4,
        ...this.#agentEnv,
      },
      cwd: this.repoRoot,
    })
    this.#agents.set(node.name, agent)
    this.#teardowns.teardown(() => agent.stop(15_000))
    await this.#waitFor(`the agent of ${node.name} to start`, async () => {
      if (!agent.alive()) throw new LabProcessExited(`the agent of ${node.name} exited:\n${agent.logTail()}`)
      return (await readFrom(node.log, from)).includes('Calico node started successfully')
    }, 120_000)
    this.#say(`${node.name}: falconer ${this.agentCommand(node).join(' ')} (pid ${agent.pid}): started`)
  }

  /** SIGTERM the agent (as systemd does) and wait until it has exited. */
  async stopAgent(node: LabNode): Promise<void> {
    await this.#agents.get(node.name)?.stop(20_000)
  }

  /**
   * SIGTERM the agent and measure how long it takes to exit. After `graceMs` (systemd's
   * TimeoutStopSec) it is SIGKILLed, as systemd would, and `forced` says so.
   */
  async stopAgentTimed(node: LabNode, graceMs: number): Promise<{ exitedAfterMs: number; forced: boolean }> {
    const agent = this.#agents.get(node.name)
    if (agent === undefined || !agent.alive()) throw new LabError(`the agent of ${node.name} is not running`)
    const started = Date.now()
    agent.signal('SIGTERM')
    try {
      await agent.waitExit(graceMs)
      return { exitedAfterMs: Date.now() - started, forced: false }
    } catch {
      agent.signal('SIGKILL')
      await agent.waitExit(10_000)
      return { exitedAfterMs: Date.now() - started, forced: true }
    }
  }

  /** PIDs of every process still in the node's namespace (`ip netns pids`). */
  async processesIn(node: LabNode): Promise<number[]> {
    const r = await exec(this.#infra(), 'ip', ['netns', 'pids', node.ns.name])
    return r.stdout.split('\n').filter((l) => l.trim() !== '').map(Number)
  }

  /** GET the agent's /liveness or /readiness (the node's lab address, port 9099, where the lab binds health). */
  async health(node: LabNode, which: 'liveness' | 'readiness'): Promise<{ code: number; body: string }> {
    const r = await exec(node.ns, 'curl', ['-sS', '-m', '5', '-w', '\n%{http_code}', `http://${node.plan.ipv4}:9099/${which}`], { reject: false, timeoutMs: 10_000 })
    const at = r.stdout.lastIndexOf('\n')
    return { code: Number(r.stdout.slice(at + 1)), body: r.stdout.slice(0, Math.max(at, 0)) }
  }

  agentPid(node: LabNode): number | undefined {
    const a = this.#agents.get(node.name)
    return a?.alive() ? a.pid : undefined
  }

  /** How a node's agent is told which BIRD to drive: BIRD 2 nodes name the unpacked one. */
  #birdEnv(node: LabNode): Record<string, string> {
    return node.bird2Bin === undefined ? {} : { FALCONER_BIRD_BIN: node.bird2Bin }
  }

  /** The PID in BIRD's pid file (bird or bird6; BIRD 2's one bird for both), if that process runs. */
  async birdPid(node: LabNode, family: Family): Promise<number | undefined> {
    try {
      const pid = Number((await readFile(family === 4 || node.birdGeneration === 2 ? node.birdPid : node.bird6Pid, 'utf8')).trim())
      process.kill(pid, 0)
      return pid
    } catch {
      return undefined
    }
  }

  /** `birdc -s SOCKET CMD…` in the node's namespace; stdout. */
  async birdc(node: LabNode, family: Family, command: readonly string[]): Promise<string> {
    const r = node.bird2Bin !== undefined
      ? await exec(node.ns, join(dirname(node.bird2Bin), 'birdc'), ['-s', node.birdSocket, ...command], { timeoutMs: 20_000 })
      : await exec(node.ns, family === 4 ? 'birdc' : 'birdc6', ['-s', family === 4 ? node.birdSocket : node.bird6Socket, ...command], { timeoutMs: 20_000 })
    return r.stdout
  }

  /**
   * Every BGP session of the node straight from BIRD (`show protocols`), both families:
   * `v4/Mesh_10_99_0_12` → its state ("up Established") and since when, as BIRD prints it.
   */
  async birdSessions(node: LabNode): Promise<Map<string, { since: string; state: string }>> {
    const sessions = new Map<string, { since: string; state: string }>()
    for (const family of [4, 6] as const) {
      const out = await this.birdc(node, family, ['show', 'protocols'])
      for (const line of out.split('\n')) {
        const m = /^(\S+)\s+BGP\s+\S+\s+(\S+)\s+(\S+ \S+)\s+(.*)$/.exec(line)
        if (m) sessions.set(`v${family}/${m[1]}`, { since: m[3] ?? '', state: `${m[2]} ${(m[4] ?? '').trim()}` })
      }
    }
    return sessions
  }

  // ─── routes ───────────────────────────────────────────────────────────────

  /** The node's kernel routes (`ip -j route`), optionally only those of one protocol. */
  async kernelRoutes(node: LabNode, family: Family, proto?: string): Promise<KernelRoute[]> {
    // Filtered here: with `proto X` on its command line, ip leaves the protocol out of its output.
    const r = await exec(node.ns, 'ip', ['-j', `-${family}`, 'route', 'show'])
    return parseIpRoutes(r.stdout).filter((route) => proto === undefined || route.protocol === proto)
  }

  /** `dst`s of the node's kernel routes BIRD programmed (proto bird), canonical. */
  async birdRoutes(node: LabNode, family: Family): Promise<Set<string>> {
    return new Set((await this.kernelRoutes(node, family, 'bird')).map((r) => canonicalCidr(r.dst)))
  }

  /**
   * The kernel routes the node's BGP speaker put there: `proto bird` on a BIRD node, proto
   * 186 (falconer's) on a GoBGP node, which `ip` prints under the name /etc/iproute2 gives
   * it, if any (Debian's rt_protos calls 186 `bgp`).
   */
  async programmedRoutes(node: LabNode, family: Family): Promise<KernelRoute[]> {
    const all = await this.kernelRoutes(node, family)
    const mine = node.backend === 'gobgp' ? GOBGP_ROUTE_PROTOCOL_NAMES : ['bird']
    return all.filter((r) => r.protocol !== undefined && mine.includes(r.protocol))
  }

  /** `gobgp -j ARGS` against a GoBGP node's gobgpd, in its namespace; parsed. */
  async nodeGobgp(node: LabNode, args: readonly string[]): Promise<unknown> {
    if (node.backend !== 'gobgp') throw new LabError(`${node.name} does not run gobgpd`)
    const r = await exec(node.ns, 'gobgp', ['--target', `unix://${node.gobgpSocket}`, '-j', ...args], { timeoutMs: 20_000 })
    return JSON.parse(r.stdout === '' ? 'null' : r.stdout) as unknown
  }

  /** The PID of the gobgpd running in a GoBGP node's namespace, if there is one. */
  async gobgpdPid(node: LabNode): Promise<number | undefined> {
    for (const pid of await this.processesIn(node)) {
      try {
        if ((await readFile(`/proc/${pid}/comm`, 'utf8')).trim() === 'gobgpd') return pid
      } catch {
        // gone meanwhile
      }
    }
    return undefined
  }

  // ─── top-of-rack ──────────────────────────────────────────────────────────

  get torConfigFile(): string {
    return join(this.dir, 'tor', 'gobgpd.toml')
  }

  get torLog(): string {
    return join(this.dir, 'logs', 'gobgpd.log')
  }

  /**
   * Starts gobgpd with a neighbor per node address expecting `nodeAs` (default: the AS
   * it was last configured with, 64512 at first); resolves once its API answers.
   */
  async startTor(nodeAs = this.#torNodeAs): Promise<void> {
    if (this.#gobgpd?.alive()) throw new LabError('gobgpd is already running')
    const tor = this.#torNs()
    this.#torNodeAs = nodeAs
    await mkdir(dirname(this.torConfigFile), { recursive: true })
    const neighbors = this.nodes.flatMap((n) => [
      { address: n.plan.ipv4, peerAs: nodeAs },
      { address: n.plan.ipv6, peerAs: nodeAs },
    ])
    await writeFile(this.torConfigFile, renderGobgpConfig({ as: TOR_AS, routerId: TOR_V4, neighbors }))
    const gobgpd = await LabProcess.start({
      label: 'gobgpd',
      ns: tor,
      cmd: 'gobgpd',
      args: ['-f', this.torConfigFile, '-t', 'toml', '-p', '--api-hosts', GOBGP_API, '--pprof-disable'],
      log: this.torLog,
    })
    this.#gobgpd = gobgpd
    this.#teardowns.teardown(() => gobgpd.stop())
    await this.#waitFor('gobgpd to answer on its API', async () => {
      if (!gobgpd.alive()) throw new LabProcessExited(`gobgpd exited:\n${gobgpd.logTail()}`)
      await this.gobgp(['global'])
      return true
    }, 30_000)
  }

  async stopTor(): Promise<void> {
    await this.#gobgpd?.stop()
  }

  /** `gobgp ARGS` in the ToR namespace against gobgpd's API on its loopback; stdout. */
  async gobgp(args: readonly string[]): Promise<string> {
    const r = await exec(this.#torNs(), 'gobgp', ['-u', TOR_API.host, '-p', String(TOR_API.port), ...args], { timeoutMs: 20_000 })
    return r.stdout
  }

  /** Every path in the ToR's global RIB for one family. */
  async torRib(family: Family): Promise<RibPath[]> {
    return parseGobgpRib(await this.gobgp(['global', 'rib', '-a', family === 4 ? 'ipv4' : 'ipv6', '-j']))
  }

  /** The global BGPPeers pointing at the ToR, created as an operator would. */
  async #applyTorPeers(): Promise<void> {
    await this.apply('tor-peers.yaml', torPeersManifest())
  }

  // ─── waiting ──────────────────────────────────────────────────────────────

  /**
   * Polls `check` until it returns something truthy; stops at once when the lab is being
   * torn down. Errors from `check` count as "not yet" and the last one is reported.
   */
  async #waitFor<T>(what: string, check: () => Promise<T> | T, timeoutMs: number, intervalMs = 250): Promise<NonNullable<T>> {
    const deadline = Date.now() + timeoutMs
    let last: unknown
    for (;;) {
      this.#check()
      try {
        const v = await check()
        if (v) return v as NonNullable<T>
      } catch (err) {
        // A dead process will not come back: fail now rather than at the deadline.
        if (err instanceof LabProcessExited) throw err
        last = err
      }
      if (Date.now() >= deadline) {
        const why = last instanceof Error ? ` (last error: ${last.message})` : ''
        throw new LabError(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}${why}`)
      }
      await new Promise((r) => setTimeout(r, intervalMs))
    }
  }

  /** Public form of the bounded wait, for scenarios. */
  waitFor<T>(what: string, check: () => Promise<T> | T, timeoutMs = 60_000, intervalMs = 500): Promise<NonNullable<T>> {
    return this.#waitFor(what, check, timeoutMs, intervalMs)
  }

  // ─── logs ─────────────────────────────────────────────────────────────────

  /** The end of every log (etcd, gobgpd, each agent with its BIRD output), for failures. */
  logs(lines = 30): string {
    const members = this.etcdLayout === 'cluster' ? ETCD_MEMBERS_V4.map((_, i) => this.etcdMemberLog(i)) : []
    const files = [this.etcdLog, ...members, ...(this.withTor ? [this.torLog] : []), ...this.nodes.map((n) => n.log)]
    return files
      .filter((f) => existsSync(f))
      .map((f) => `──── ${f} (last ${lines} lines) ────\n${tailOf(f, lines)}`)
      .join('\n')
  }

  // ─── teardown ─────────────────────────────────────────────────────────────

  async #tearDown(): Promise<void> {
    this.#closing = true
    // A bring-up in progress stops at its next step; then everything it made goes.
    await this.#up?.catch(() => {})
    // SIGTERM agents first so they stop their BIRD; then the rest, newest first.
    await Promise.all([...this.#agents.values()].map((a) => a.stop(15_000).catch(() => {})))
    await this.#teardowns.run()
    await rm(this.dir, { recursive: true, force: true, maxRetries: 5 })
    this.#finished = true
  }
}

/** Operator settings that must not leak from the caller's environment into the lab. */
const OPERATOR_ENV = /^(ETCD_|FALCONER_|CALICO_|CALICOCTL_|DATASTORE_TYPE$|NODENAME$|HOSTNAME$|IP$|IP6$|AS$|IP_AUTODETECTION_METHOD$|IP6_AUTODETECTION_METHOD$|NO_DEFAULT_POOLS$)/

function onlyStrings(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined))
}

async function fileSize(file: string): Promise<number> {
  try {
    return (await stat(file)).size
  } catch {
    return 0
  }
}

async function readFrom(file: string, offset: number): Promise<string> {
  try {
    return (await readFile(file)).subarray(offset).toString('utf8')
  } catch {
    return ''
  }
}

function labDir(name: string, runId: string | undefined): string {
  return join('/tmp', `falconer-lab-${name}${runId === undefined ? '' : `-${runId}`}`)
}

/** The repository holding bin/falconer: up from this file (scripts/lab, or dist/lab/scripts/lab). */
function findRepoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    if (existsSync(join(dir, 'bin/falconer')) && existsSync(join(dir, 'package.json'))) return dir
    const up = dirname(dir)
    if (up === dir) throw new LabError('cannot find the falconer repository (bin/falconer) above the lab scripts')
    dir = up
  }
}
