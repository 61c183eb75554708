import { rm } from 'node:fs/promises'
import type { ResourceStore } from '../../datastore/store.js'
import type { Say } from '../startup/say.js'
import { isAlive, readPidFile, removePidFile, runningAgent, waitForExit } from './agent-process.js'
import { endpointsOfNode } from './endpoints.js'
import { LifecycleError } from './errors.js'

/**
 * `node stop [--force]`: SIGTERM to the local agent (which stops its BIRD and removes its
 * pid file), then wait until it is gone. Workloads on this node lose their routes when
 * BIRD stops, so a node with workload endpoints is stopped only with --force, as calicoctl
 * did.
 */

export interface StopOptions {
  readonly pidFile: string
  readonly nodeName: string
  readonly force: boolean
  /** Opened only when the agent runs (the endpoint check needs it). */
  readonly openStore: () => Promise<ResourceStore>
  /** How long the agent gets to stop before we give up waiting. */
  readonly timeoutMs: number
}

export type StopOutcome = 'stopped' | 'not-running'

export const DEFAULT_STOP_TIMEOUT_MS = 30_000

export async function stopNode(opts: StopOptions, say: Say): Promise<StopOutcome> {
  const pid = await runningAgent(opts.pidFile)
  if (pid === undefined) {
    // A pid file without its process is what a crash or SIGKILL leaves behind.
    const stale = await readPidFile(opts.pidFile)
    if (stale !== undefined && !isAlive(stale)) await rm(opts.pidFile, { force: true })
    say('Node is not running.')
    return 'not-running'
  }

  const endpoints = await countEndpoints(opts)
  if (endpoints !== undefined && endpoints > 0) {
    if (!opts.force) throw new LifecycleError("Current host has active endpoints so can't be stopped. Force with --force")
    say("Stopping node while host has active endpoints. If this is in error, restart the node using the 'falconer node run' command.")
  }

  try {
    process.kill(pid, 'SIGTERM')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err
  }
  if (!(await waitForExit(pid, opts.timeoutMs))) {
    throw new LifecycleError(
      `The falconer agent (pid ${pid}) did not stop within ${opts.timeoutMs / 1000}s; it may still be stopping BIRD. ` +
        `Check its log, or end it with: kill -KILL ${pid}`,
    )
  }
  await removePidFile(opts.pidFile, pid)
  say('Node stopped')
  return 'stopped'
}

/** undefined: could not be checked and --force says not to care. */
async function countEndpoints(opts: StopOptions): Promise<number | undefined> {
  let store: ResourceStore | undefined
  try {
    store = await opts.openStore()
    return (await endpointsOfNode(store, opts.nodeName)).length
  } catch (err) {
    if (opts.force) return undefined
    throw new LifecycleError(
      `Cannot check this node's workload endpoints: ${(err as Error).message}. Use --force to stop anyway.`,
    )
  } finally {
    await store?.close().catch(() => undefined)
  }
}
