import { spawn } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Etcd3, IKeyValue } from 'etcd3'
import type { BirdControl } from '../../src/bird/control/index.js'
import { benchPeer } from '../datastore/synthetic.js'
import { exited } from '../lib/child.js'
import { log } from '../lib/phase.js'
import type { Product } from '../lib/product.js'
import { now } from '../lib/stats.js'
import { hasProtocol } from './bird-probe.js'
import { gobgpdCheckMs, type FloorGobgpd, type GobgpApi } from './gobgp-probe.js'

/** One change: a BGPPeer moved to a new peerIP in etcd, until the daemon shows the new peer. */
export interface ChangeSample {
  /** etcd write issued → the new peer listed by the daemon (BIRD `show protocols`, gobgpd ListPeer): the figure. */
  readonly visibleMs: number
  /** etcd write issued → the bench's own watch saw the event (floor, part 1). */
  readonly watchMs: number
  /**
   * The daemon taking the file the agent wrote (floor, part 2): BIRD's own `configure
   * "bird.cfg"`, issued directly; gobgpd: the floor's own gobgpd given that file, SIGHUP →
   * the new neighbor listed.
   */
  readonly configureMs: number
  /**
   * A fresh process checking the same file: `bird -p -c bird.cfg` (beside BIRD's floor: the
   * agent checks through the running BIRD instead) or `gobgpd -d -f gobgpd.toml` (part of
   * GoBGP's floor: the agent runs exactly this before every apply).
   */
  readonly checkMs: number
  /** One more visibility probe, once the peer is listed: what the probe itself costs. */
  readonly probeMs: number
  /** watch + configure (+ check where the agent runs it on every change). */
  readonly floorMs: number
}

/** The change being timed: the BGPPeer's new protocol name (BIRD) and address (gobgpd). */
export interface BenchChange {
  readonly protocol: string
  readonly address: string
}

/** What the converge loop asks of a backend's daemon. */
export interface ConvergeDaemon {
  /** Whether the daemon lists the change's peer now: polled every pollMs for the figure. */
  visible(change: BenchChange): Promise<boolean>
  /** The daemon's own taking of the agent's current file, timed (ChangeSample.configureMs). */
  takeMs(change: BenchChange): Promise<number>
  /** A fresh process checking the agent's current file, timed. */
  checkMs(): Promise<number>
  /** Whether the agent runs that check on every change, which puts it into the floor. */
  readonly checkInFloor: boolean
}

/** BIRD (1.6 or 2): `show protocols "NAME"`, `configure "bird.cfg"`, `bird -p`. */
export function birdDaemon(p: Product, ctl: BirdControl, birdConfig: string, birdBin = 'bird'): ConvergeDaemon {
  return {
    visible: (c) => hasProtocol(p, ctl, c.protocol),
    takeMs: () => floorConfigureMs(ctl, birdConfig),
    checkMs: () => birdCheckMs(birdBin, birdConfig),
    checkInFloor: false,
  }
}

/** gobgpd: ListPeer over the agent gobgpd's API; the floor's own gobgpd takes the agent's file on SIGHUP; `gobgpd -d`. */
export function gobgpDaemon(api: GobgpApi, floor: FloorGobgpd, gobgpConfig: string, gobgpd: string, pollMs: number): ConvergeDaemon {
  return {
    visible: (c) => api.hasPeer(c.address),
    takeMs: async (c) => floor.reloadMs(await readFile(gobgpConfig, 'utf8'), c.address, pollMs),
    checkMs: () => gobgpdCheckMs(gobgpd, gobgpConfig),
    checkInFloor: true,
  }
}

export interface ConvergeOptions {
  readonly changes: number
  /** Between polls of `show protocols "NAME"`. */
  readonly pollMs: number
  /** Quiet time after each change before the next one. */
  readonly settleMs: number
}

/** The BGPPeer the changes move around: deleted before each backend's run, so all start alike. */
export const PEER_NAME = 'bench-peer'

/**
 * Writes `changes` changes one after the other — the global BGPPeer `bench-peer` created,
 * then moved to a new peerIP each time, so its protocol is replaced and BIRD's config
 * keeps one size through the run — and times each until BIRD lists the new protocol.
 * The floor for the same change is measured in the same run: how long etcd takes to
 * deliver the event to a watcher, and how long BIRD takes to `configure` the file the
 * agent produced.
 */
export async function measureConverge(
  p: Product,
  client: Etcd3,
  daemon: ConvergeDaemon,
  opts: ConvergeOptions,
  alive: () => void,
): Promise<ChangeSample[]> {
  const key = p.resourceKey('BGPPeer', PEER_NAME)
  /** When the watch delivered each revision of the key. */
  const seen = new Map<string, number>()
  const watcher = await client.watch().key(key).create()
  watcher.on('put', (kv: IKeyValue) => {
    if (!seen.has(kv.mod_revision)) seen.set(kv.mod_revision, now())
  })
  try {
    const samples: ChangeSample[] = []
    for (let k = 0; k < opts.changes; k++) {
      alive()
      const { peer, protocol } = benchPeer(k, PEER_NAME)
      const change: BenchChange = { protocol, address: peer.spec.peerIP! }
      const value = p.encodeResource(peer)
      const t0 = now()
      const { header } = await client.put(key).value(value)
      let visibleAt: number | undefined
      const deadline = t0 + 60_000
      while (visibleAt === undefined) {
        if (await daemon.visible(change)) visibleAt = now()
        else if (now() > deadline) throw new Error(`${protocol} (${change.address}) did not appear in the daemon within 60 s`)
        else await sleep(opts.pollMs)
      }
      const watchedAt = await watched(seen, header.revision)
      const p0 = now()
      if (!(await daemon.visible(change))) throw new Error(`${protocol} (${change.address}) was listed, then no longer`)
      const probeMs = now() - p0
      const configureMs = await daemon.takeMs(change)
      const checkMs = await daemon.checkMs()
      const watchMs = watchedAt - t0
      samples.push({ visibleMs: visibleAt - t0, watchMs, configureMs, checkMs, probeMs, floorMs: watchMs + configureMs + (daemon.checkInFloor ? checkMs : 0) })
      if ((k + 1) % 25 === 0 || k + 1 === opts.changes) {
        const last = samples.at(-1)!
        log('converge', `${k + 1}/${opts.changes}: last ${last.visibleMs.toFixed(1)} ms (watch ${last.watchMs.toFixed(1)}, daemon takes the file ${configureMs.toFixed(1)}, check ${checkMs.toFixed(1)}, probe ${probeMs.toFixed(2)})`)
      }
      await sleep(opts.settleMs)
    }
    return samples
  } finally {
    await watcher.cancel()
  }
}

/** When the watch saw `revision` (it normally has by the time BIRD shows the change). */
async function watched(seen: ReadonlyMap<string, number>, revision: string): Promise<number> {
  const deadline = now() + 30_000
  for (;;) {
    const at = seen.get(revision)
    if (at !== undefined) return at
    if (now() > deadline) throw new Error(`the watch never delivered revision ${revision}`)
    await sleep(1)
  }
}

async function birdCheckMs(bird: string, file: string): Promise<number> {
  const t0 = now()
  const proc = spawn(bird, ['-p', '-c', file], { stdio: 'ignore' })
  const [code] = await exited(proc)
  if (code !== 0) throw new Error(`${bird} -p -c ${file} exited ${code}`)
  return now() - t0
}

/** BIRD's "0004 Reconfiguration in progress" and "0005 … already in progress, queueing". */
const IN_PROGRESS = new Set([4, 5])

/**
 * BIRD's own `configure` of the file, timed. On a busy machine BIRD can still be finishing
 * the agent's reconfiguration (old sessions shutting down) when the new protocol is already
 * listed; BIRD then answers "in progress" and only queues the request, which times nothing:
 * wait a little and ask again, counting only the attempt BIRD completed.
 */
async function floorConfigureMs(ctl: BirdControl, birdConfig: string): Promise<number> {
  for (let attempt = 0; attempt < 500; attempt++) {
    const c0 = now()
    const reply = await ctl.request(`configure "${birdConfig}"`, { timeoutMs: 30_000 })
    const ms = now() - c0
    if (reply.code === 3) return ms
    if (!IN_PROGRESS.has(reply.code)) throw new Error(`configure "${birdConfig}" answered ${reply.code}, expected 3 (Reconfigured)`)
    await sleep(20)
  }
  throw new Error(`configure "${birdConfig}": BIRD was still reconfiguring after 500 attempts`)
}
