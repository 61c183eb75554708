/**
 * The multi-node lab (scripts/lab) for end-to-end tests: one lab per test file, torn down
 * in t.teardown (also when an assertion fails or the file throws). Each file picks its own
 * lab name (at most 3 characters), and every run adds a random suffix to its namespaces
 * (`fa-e1-n1-3fa9`), so files, and whole runs in other checkouts, run in parallel.
 *
 * When the runner gives up on a file (tap's timeout: SIGALRM, then SIGKILL half a second
 * later), or on Ctrl-C / SIGTERM / SIGHUP, or if the process exits with the lab still up,
 * there is no time for an orderly teardown: every process of the lab's namespaces is
 * SIGKILLed by PID and the namespaces are deleted, synchronously.
 *
 *   const lab = await startLab(t, { name: 'e1', nodes: 3, tor: false })
 *   // every node's sessions are Established here
 */
import { waitEstablished } from '../../scripts/lab/convergence.js'
import { Lab, type LabOptions } from '../../scripts/lab/lab.js'
import { ensureBuilt } from './cli.js'

export { allBlocks, expectedPeers, waitEstablished, waitMeshRoutes, waitTorRoutes } from '../../scripts/lab/convergence.js'
export { Lab, LabError, type LabNode } from '../../scripts/lab/lab.js'
export { type NodeStatus, type PeerStatus, type RibPath, peersOf } from '../../scripts/lab/status.js'
export * as topology from '../../scripts/lab/topology.js'

/** The part of a tap test the lab needs. */
export interface LabTestHost {
  teardown(fn: () => unknown): void
  passing(): boolean
}

export interface TestLabOptions extends LabOptions {
  /** Wait until every session (mesh + ToR) is Established before returning (default true). */
  readonly waitEstablished?: boolean
}

const FATAL_SIGNALS: readonly NodeJS.Signals[] = ['SIGALRM', 'SIGINT', 'SIGTERM', 'SIGHUP']

export async function startLab(t: LabTestHost, opts: TestLabOptions): Promise<Lab> {
  // The agents run bin/falconer, i.e. dist/: rebuilt first when a source is newer.
  await ensureBuilt()
  // Run-unique names: the suite may run in two checkouts at once.
  const lab = new Lab({ unique: true, ...opts })
  const onSignal = (sig: NodeJS.Signals) => {
    if (lab.finished) return
    process.stderr.write(`lab ${opts.name}: ${sig}: killing the lab's processes and deleting its namespaces\n`)
    lab.destroySync()
    // Die of the signal as if nobody had listened, unless the runner has its own plans.
    if (process.listenerCount(sig) === 0) process.kill(process.pid, sig)
  }
  const onExit = () => {
    if (!lab.finished) lab.destroySync()
  }
  const unhook = () => {
    for (const sig of FATAL_SIGNALS) process.off(sig, onSignal)
    process.off('exit', onExit)
  }
  for (const sig of FATAL_SIGNALS) process.once(sig, onSignal)
  process.once('exit', onExit)
  t.teardown(async () => {
    // What the agents, BIRD, etcd and gobgpd said, when it helps to explain a failure.
    if (!t.passing()) process.stderr.write(`lab ${opts.name} logs:\n${lab.logs(60)}\n`)
    try {
      await lab.down()
    } catch (err) {
      process.stderr.write(`lab ${opts.name}: orderly teardown failed (${err instanceof Error ? err.message : String(err)}); forcing\n`)
      lab.destroySync()
    } finally {
      unhook()
    }
  })
  await lab.up()
  if (opts.waitEstablished !== false) await waitEstablished(lab)
  return lab
}

/** Resolves after `ms`; only for spacing samples, never as a wait for a condition. */
export function pause(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms))
}

/**
 * Whether two of BIRD's "since" times (`YYYY-MM-DD HH:MM:SS`, as `birdSessions` and `node
 * status` print them) are the same instant. BIRD 1.6 keeps times on a monotonic clock and
 * converts each to wall time when it prints it, so one unchanged time can read a second
 * apart between two calls; a reset moves it to the present, far more than that.
 */
export function sameBirdSince(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return false
  const ms = (s: string) => new Date(s.replace(' ', 'T')).getTime()
  return Math.abs(ms(a) - ms(b)) <= BIRD_SINCE_JITTER_MS
}

export const BIRD_SINCE_JITTER_MS = 1_000
