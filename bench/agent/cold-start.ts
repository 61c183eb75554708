import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { Teardowns } from '../../test/helpers/netns.js'
import type { Product } from '../lib/product.js'
import { now } from '../lib/stats.js'
import { AgentProcess } from './agent-process.js'
import { bgpProtocols, bgpProtocolsInFile, sameSet } from './bird-probe.js'

export interface ColdStart {
  /** Process start → bird.cfg exists (written atomically, after `bird -p` accepted it). */
  readonly configWrittenMs: number
  /** Process start → "Calico node started successfully" (first apply done). */
  readonly readyMs: number
  /** Process start → BIRD answers and runs exactly the BGP protocols of that bird.cfg. */
  readonly birdConfiguredMs: number
  readonly bgpProtocols: number
  /** The agent's log lines, ms since spawn: where the time went. */
  readonly timeline: readonly { readonly ms: number; readonly msg: string }[]
}

const TIMEOUT_MS = 120_000

/** One cold start of a fresh agent (new --prefix: no config, no BIRD) against the datastore. */
export async function coldStart(p: Product, opts: { nodeName: string; ip: string; etcdEndpoint: string }): Promise<ColdStart> {
  const prefix = await mkdtemp(join(tmpdir(), 'fa-bench-cold-'))
  const t = new Teardowns()
  t.teardown(() => rm(prefix, { recursive: true, force: true }))
  try {
    const agent = AgentProcess.start(t, { prefix, nodeName: opts.nodeName, ip: opts.ip, etcdEndpoint: opts.etcdEndpoint })
    const deadline = agent.startedAt + TIMEOUT_MS
    const due = (what: string) => {
      agent.assertRunning()
      if (now() > deadline) throw new Error(`cold start: no ${what} within ${TIMEOUT_MS / 1000} s:\n${agent.logTail()}`)
    }

    let configWrittenAt: number | undefined
    while (configWrittenAt === undefined) {
      if (existsSync(agent.paths.birdConfig)) configWrittenAt = now()
      else {
        due('bird.cfg')
        await sleep(2)
      }
    }

    const ctl = new p.BirdControl({ socketPath: agent.paths.birdSocket, timeoutMs: 30_000 })
    t.teardown(() => ctl.close())
    let configuredAt: number | undefined
    let count = 0
    while (configuredAt === undefined) {
      try {
        const running = await bgpProtocols(ctl)
        const wanted = bgpProtocolsInFile(agent.paths.birdConfig)
        if (sameSet(running, wanted)) {
          configuredAt = now()
          count = running.size
          break
        }
      } catch {
        // not up yet
      }
      due('BIRD running the config')
      await sleep(5)
    }
    while (agent.readyAt === undefined) {
      due('ready line')
      await sleep(5)
    }
    return {
      configWrittenMs: configWrittenAt - agent.startedAt,
      readyMs: agent.readyAt - agent.startedAt,
      birdConfiguredMs: configuredAt - agent.startedAt,
      bgpProtocols: count,
      timeline: agent.timeline(),
    }
  } finally {
    await t.run()
  }
}
