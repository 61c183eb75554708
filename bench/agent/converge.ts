import { spawn } from 'node:child_process'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Etcd3, IKeyValue } from 'etcd3'
import type { BirdControl } from '../../src/bird/control/index.js'
import { benchPeer } from '../datastore/synthetic.js'
import { exited } from '../lib/child.js'
import { log } from '../lib/phase.js'
import type { Product } from '../lib/product.js'
import { now } from '../lib/stats.js'
import { hasProtocol } from './bird-probe.js'

/** One change: a BGPPeer moved to a new peerIP in etcd, until BIRD shows the new protocol. */
export interface ChangeSample {
  /** etcd write issued → protocol listed by `show protocols` (the figure). */
  readonly visibleMs: number
  /** etcd write issued → the bench's own watch saw the event (floor, part 1). */
  readonly watchMs: number
  /** BIRD's own `configure "bird.cfg"` of the file the agent wrote, issued directly (floor, part 2). */
  readonly configureMs: number
  /** `bird -p -c bird.cfg` of the same file: the check the agent must run first (invariant 2 in docs/design.md). */
  readonly checkMs: number
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
  ctl: BirdControl,
  birdConfig: string,
  opts: ConvergeOptions,
  alive: () => void,
  /** The `bird` whose `-p` check is measured beside: the one the agent drives. */
  birdBin = 'bird',
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
      const value = p.encodeResource(peer)
      const t0 = now()
      const { header } = await client.put(key).value(value)
      let visibleAt: number | undefined
      const deadline = t0 + 60_000
      while (visibleAt === undefined) {
        if (await hasProtocol(p, ctl, protocol)) visibleAt = now()
        else if (now() > deadline) throw new Error(`${protocol} did not appear in BIRD within 60 s`)
        else await sleep(opts.pollMs)
      }
      const watchedAt = await watched(seen, header.revision)
      const configureMs = await floorConfigureMs(ctl, birdConfig)
      const checkMs = await birdCheckMs(birdBin, birdConfig)
      samples.push({ visibleMs: visibleAt - t0, watchMs: watchedAt - t0, configureMs, checkMs })
      if ((k + 1) % 25 === 0 || k + 1 === opts.changes) {
        const last = samples.at(-1)!
        log('converge', `${k + 1}/${opts.changes}: last ${last.visibleMs.toFixed(1)} ms (watch ${last.watchMs.toFixed(1)}, configure ${configureMs.toFixed(1)}, check ${checkMs.toFixed(1)})`)
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
