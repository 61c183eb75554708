import { execFile } from 'node:child_process'
import { readFile, rm } from 'node:fs/promises'
import type { ResourceStore } from '../../datastore/store.js'
import type { Say } from '../startup/say.js'
import { isAlive, readPidFile, removePidFile, runningAgent, waitForExit } from './agent-process.js'
import { endpointsOfNode } from './endpoints.js'
import { LifecycleError } from './errors.js'

/**
 * `node stop [--force] [--drain]`: SIGTERM to the local agent (which stops its BIRD and removes its
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
  /**
   * Runs after every check and before the SIGTERM (`node stop --drain` drains here); an
   * error leaves the agent running.
   */
  readonly beforeStop?: (pid: number) => Promise<void>
  /** The systemd service running a pid, if any; default: read from /proc/<pid>/cgroup. */
  readonly serviceOf?: (pid: number) => Promise<string | undefined>
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

  // A SIGTERM behind systemd's back would only be undone: the unit has Restart=always.
  const service = await (opts.serviceOf ?? systemdServiceOf)(pid)
  if (service !== undefined) {
    throw new LifecycleError(
      `The falconer agent (pid ${pid}) runs as the systemd service ${service}, which would start it again: ` +
        `stop it with: systemctl stop ${service}` +
        (opts.beforeStop !== undefined ? ` (to drain first: falconer node drain, or FALCONER_DRAIN_ON_STOP in the unit's environment)` : ''),
    )
  }

  const endpoints = await countEndpoints(opts)
  if (endpoints !== undefined && endpoints > 0) {
    if (!opts.force) throw new LifecycleError("Current host has active endpoints so can't be stopped. Force with --force")
    say("Stopping node while host has active endpoints. If this is in error, restart the node using the 'falconer node run' command.")
  }

  await opts.beforeStop?.(pid)

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

/**
 * The `.service` unit a process belongs to, from its cgroup (v2 `0::/system.slice/x.service`,
 * or v1's `name=systemd` line); undefined for a process outside any service (a shell, a
 * detached `node run`, a user session scope).
 */
export function serviceFromCgroup(text: string): string | undefined {
  for (const line of text.split('\n')) {
    const [, controllers, path] = /^\d+:([^:]*):(.*)$/.exec(line.trim()) ?? []
    if (path === undefined || (controllers !== '' && controllers !== 'name=systemd')) continue
    const unit = path.split('/').reverse().find((part) => part.endsWith('.service'))
    if (unit !== undefined && !path.includes('/user@')) return unit
  }
  return undefined
}

/**
 * The service whose main process is `pid`. Being in a service's cgroup is not enough: an
 * agent started by a test or a script running inside some unit is that unit's child, not
 * the unit itself, and systemd would not restart it.
 */
async function systemdServiceOf(pid: number): Promise<string | undefined> {
  let unit: string | undefined
  try {
    unit = serviceFromCgroup(await readFile(`/proc/${pid}/cgroup`, 'utf8'))
  } catch {
    return undefined
  }
  if (unit === undefined) return undefined
  const main = await new Promise<string>((resolve) => {
    execFile('systemctl', ['show', '--property=MainPID', '--value', unit], { timeout: 5_000 }, (err, stdout) =>
      resolve(err ? '' : stdout.trim()),
    )
  })
  return main === String(pid) ? unit : undefined
}
