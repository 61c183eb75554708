import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import type { BirdControl } from '../../src/bird/control/index.js'
import { Teardowns } from '../../test/helpers/netns.js'
import { stopper } from '../lib/child.js'
import { exited } from '../lib/child.js'
import { DIST_URL } from '../lib/paths.js'
import type { Product } from '../lib/product.js'
import { cpuSeconds } from '../lib/proc.js'
import { now } from '../lib/stats.js'
import { AgentProcess } from './agent-process.js'
import { bgpProtocols, bgpProtocolsInFile, sameSet } from './bird-probe.js'

export interface ColdStart {
  /** Process start → bird.cfg exists (written atomically, after `bird -p` accepted it). */
  readonly configWrittenMs: number
  /**
   * CPU time (user + system) the agent's node process had used when bird.cfg appeared:
   * what the steps before it cost, much less sensitive to a busy machine than wall time.
   */
  readonly configCpuMs: number
  /** Process start → "Calico node started successfully" (first apply done). */
  readonly readyMs: number
  /** Process start → BIRD answers and runs exactly the BGP protocols of that bird.cfg. */
  readonly birdConfiguredMs: number
  readonly bgpProtocols: number
  /** The agent's log lines, ms since spawn: where the time went. */
  readonly timeline: readonly { readonly ms: number; readonly msg: string }[]
  /** The bird.cfg it produced, for the floor measurement. */
  readonly config: string
}

const TIMEOUT_MS = 180_000

/** One cold start of a fresh agent (new --prefix: no config, no BIRD) against the datastore. */
export async function coldStart(p: Product, opts: { nodeName: string; ip: string; etcdEndpoint: string }): Promise<ColdStart> {
  const prefix = await mkdtemp(join(tmpdir(), 'fa-bench-cold-'))
  const t = new Teardowns()
  t.teardown(() => rm(prefix, { recursive: true, force: true }))
  try {
    const agent = AgentProcess.start(t, { prefix, nodeName: opts.nodeName, ip: opts.ip, etcdEndpoint: opts.etcdEndpoint, nodeFlags: p.agentNodeFlags })
    const deadline = agent.startedAt + TIMEOUT_MS
    const due = (what: string) => {
      agent.assertRunning()
      if (now() > deadline) throw new Error(`cold start: no ${what} within ${TIMEOUT_MS / 1000} s:\n${agent.logTail()}`)
    }

    let configWrittenAt: number | undefined
    let configCpuMs = Number.NaN
    while (configWrittenAt === undefined) {
      if (existsSync(agent.paths.birdConfig)) {
        configWrittenAt = now()
        configCpuMs = cpuSeconds(agent.pid) * 1000
      }
      else {
        due('bird.cfg')
        await sleep(2)
      }
    }

    const ctl = new p.BirdControl({ socketPath: agent.paths.birdSocket, timeoutMs: 60_000 })
    t.teardown(() => ctl.close())
    const { at: configuredAt, count } = await untilRunning(ctl, agent.paths.birdConfig, () => due('BIRD running the config'))
    while (agent.readyAt === undefined) {
      due('ready line')
      await sleep(5)
    }
    return {
      configWrittenMs: configWrittenAt - agent.startedAt,
      configCpuMs,
      readyMs: agent.readyAt - agent.startedAt,
      birdConfiguredMs: configuredAt - agent.startedAt,
      bgpProtocols: count,
      timeline: agent.timeline(),
      config: readFileSync(agent.paths.birdConfig, 'utf8'),
    }
  } finally {
    await t.run()
  }
}

/**
 * The floor under a cold start's last step: BIRD itself started on the same file
 * (`bird -f -c FILE`), from spawn until it runs exactly the file's BGP protocols.
 * Runs in the same namespace after the agent and its BIRD have stopped.
 *
 * `logToFile` adds `log "FILE" all;` next to the rendered `log stderr all;`, to show what
 * BIRD's logging costs. (Without any log statement BIRD uses syslog(3), and where no
 * /dev/log exists glibc writes every message to /dev/console: one slow write per protocol
 * state change — which is why the templates log to stderr.)
 */
export async function birdStartFloor(p: Product, config: string, logToFile = false): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'fa-bench-bird-'))
  const t = new Teardowns()
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  try {
    const file = join(dir, 'bird.cfg')
    const text = logToFile ? config.replace(/^router id .*$/m, (line) => `${line}\nlog "${join(dir, 'bird.log')}" all;`) : config
    if (logToFile && !text.includes('bird.log')) throw new Error('no `router id` line to add the log statement after')
    await writeFile(file, text)
    const socket = join(dir, 'bird.ctl')
    const t0 = now()
    const bird = spawn('bird', ['-f', '-c', file, '-s', socket, '-P', join(dir, 'bird.pid')], { stdio: 'ignore' })
    t.teardown(stopper(bird, 10_000))
    const ctl = new p.BirdControl({ socketPath: socket, timeoutMs: 60_000 })
    t.teardown(() => ctl.close())
    const deadline = t0 + TIMEOUT_MS
    const { at } = await untilRunning(ctl, file, () => {
      if (bird.exitCode !== null || bird.signalCode !== null) throw new Error(`bird -f -c ${file} exited (${bird.signalCode ?? bird.exitCode})`)
      if (now() > deadline) throw new Error(`BIRD did not run ${file} within ${TIMEOUT_MS / 1000} s`)
    })
    return at - t0
  } finally {
    await t.run()
  }
}

/**
 * Polls `show protocols` until BIRD runs exactly the BGP protocols of `file`. The pause
 * between polls grows with the reply's cost (a 5,000-protocol listing is not free, and
 * BIRD is single-threaded): the probe must not slow down what it measures.
 */
async function untilRunning(ctl: BirdControl, file: string, due: () => void): Promise<{ at: number; count: number }> {
  for (;;) {
    const asked = now()
    try {
      const running = await bgpProtocols(ctl)
      if (sameSet(running, bgpProtocolsInFile(file))) return { at: now(), count: running.size }
    } catch {
      // not up yet
    }
    due()
    await sleep(Math.max(5, 2 * (now() - asked)))
  }
}

/**
 * The floor under a cold start's first step: a node process that loads the agent's code
 * (dist/cli/main.js, as `node bin/falconer` does) and exits, in ms from spawn to exit.
 */
export async function codeLoadFloor(): Promise<number> {
  const t0 = now()
  const main = new URL('cli/main.js', DIST_URL).href
  const proc = spawn(process.execPath, ['--input-type=module', '-e', `await import(${JSON.stringify(main)})`], { stdio: 'ignore' })
  const [code] = await exited(proc)
  if (code !== 0) throw new Error(`node could not load ${main} (exit ${code})`)
  return now() - t0
}
