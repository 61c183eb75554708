import type { AgentOptions } from '../../agent.js'
import type { Logger } from '../../log.js'
import type { Settings } from '../../settings/settings.js'
import type { NodeRunConfig } from '../startup/run-config.js'
import type { Say } from '../startup/say.js'
import { runStartup, type StartupDeps, type StartupResult } from '../startup/startup.js'
import { removePidFile, runningAgent, writePidFile } from './agent-process.js'
import { LifecycleError } from './errors.js'
import { SdNotifier } from './sd-notify.js'

/**
 * `node run --init-system` (and `--detach=false`): this process is the agent. It claims
 * the pid file, runs startup, then the agent until `signal` aborts (SIGTERM from systemd or
 * `node stop`), and releases the pid file however it ends.
 */

/** The line `node run` (detached) waits for, as calicoctl waited for calico/node's. */
export const READY_LINE = 'Calico node started successfully'

export type RunAgent = (opts: AgentOptions, signal: AbortSignal) => Promise<void>

export interface ForegroundOptions {
  readonly config: NodeRunConfig
  readonly settings: Settings
  readonly log: Logger
  readonly startupDeps: StartupDeps
  readonly runAgent: RunAgent
  /** Re-reads flags, env and the client config; the agent watches that file. */
  readonly reloadSettings?: () => Settings
  readonly signal: AbortSignal
  readonly say: Say
  /** systemd's notify protocol; default from this process's environment (a no-op outside systemd). */
  readonly notifier?: SdNotifier
}

export async function runForeground(o: ForegroundOptions): Promise<StartupResult | undefined> {
  const pidFile = o.settings.paths.agentPid
  const other = await runningAgent(pidFile)
  if (other !== undefined && other !== process.pid) {
    throw new LifecycleError(`A falconer agent is already running on this host (pid ${other}). Stop it first with 'falconer node stop'.`)
  }
  await writePidFile(pidFile, process.pid)
  // Type=notify: READY=1 once the first config is applied, so `systemctl start` returns
  // when the node routes; watchdog pings from the start (startup may wait for etcd), then
  // only while the agent's liveness holds; STOPPING=1 as soon as the stop begins.
  const notify = o.notifier ?? new SdNotifier({ log: o.log })
  let live: (() => boolean) | undefined
  notify.startWatchdog(() => live?.() ?? true)
  const onStop = () => void notify.stopping()
  o.signal.addEventListener('abort', onStop, { once: true })
  try {
    let result: StartupResult
    try {
      result = await runStartup(
        {
          config: o.config,
          nodenameFile: o.settings.paths.nodenameFile,
          endpoints: o.settings.datastore.endpoints,
          signal: o.signal,
        },
        o.startupDeps,
        o.say,
      )
    } catch (err) {
      // Told to stop while still starting (systemd stop during an etcd outage): a clean stop.
      if (o.signal.aborted) return undefined
      throw err
    }
    if (o.signal.aborted) return result
    let ready = false
    await o.runAgent(
      {
        settings: o.settings,
        nodeName: result.nodeName,
        log: o.log,
        backend: o.config.backend,
        manageBird: true,
        takeStartupListing: result.takeListedNodes,
        ...(o.reloadSettings !== undefined && { reloadSettings: o.reloadSettings }),
        ...(o.config.routerId !== undefined && { routerId: o.config.routerId }),
        onReady: () => {
          if (ready) return
          ready = true
          o.say(READY_LINE)
          void notify.ready(READY_LINE)
        },
        onHealth: (health) => {
          live = () => health.liveness().ok
        },
      },
      o.signal,
    )
    return result
  } finally {
    o.signal.removeEventListener('abort', onStop)
    notify.stopWatchdog()
    await notify.flushed()
    await removePidFile(pidFile, process.pid)
  }
}
