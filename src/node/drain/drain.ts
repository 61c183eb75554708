import { setTimeout as sleep } from 'node:timers/promises'
import { isAlive, runningAgent } from '../lifecycle/agent-process.js'
import type { Say } from '../startup/say.js'
import {
  drainAppliedPath, drainMarkerPath, newDrainMarker, readDrainApplied, readDrainMarker, removeDrainMarker, writeDrainMarker,
  type DrainApplied, type DrainMarker, type DrainScope,
} from './marker.js'

/**
 * `node drain`, `node undrain` and the drain half of `node stop --drain`: write or remove
 * the marker, wait until the running agent has applied it (BIRD accepted the config), then
 * give peers time to move traffic. falconer cannot see the peers' forwarding tables, so
 * that last wait is a fixed settle time, and the command says so.
 */

/** A drain or undrain that could not be done, with what to do about it. */
export class DrainError extends Error {
  override readonly name = 'DrainError'
}

export interface DrainPaths {
  readonly stateDir: string
  readonly runDir: string
  readonly agentPid: string
}

export interface DrainOptions {
  readonly paths: DrainPaths
  readonly scope: DrainScope
  /** Settle time for peers after the apply (0: return once applied). */
  readonly settleMs: number
  /** How long the agent gets to apply the drained config. */
  readonly applyTimeoutMs: number
  readonly now?: () => Date
  /** Polling interval for the applied file (tests shorten it). */
  readonly pollMs?: number
}

export const DEFAULT_SETTLE_SECONDS = 30
/** A `configure` may take up to 30 s on a loaded BIRD; the render and check come on top. */
export const DEFAULT_APPLY_TIMEOUT_MS = 90_000

/** The marker the drain leaves in place: a maintenance drain already there is kept (and outlasts a stop). */
export function markerToWrite(existing: DrainMarker | undefined, scope: DrainScope, now: Date): DrainMarker {
  if (existing !== undefined && (existing.scope === 'maintenance' || existing.scope === scope)) return existing
  return newDrainMarker(scope, now)
}

export async function drainNode(opts: DrainOptions, say: Say): Promise<DrainMarker> {
  const pid = await runningAgent(opts.paths.agentPid)
  if (pid === undefined) {
    throw new DrainError(
      `No falconer agent is running on this node (no live agent in ${opts.paths.agentPid}): nothing advertises its routes, so there is nothing to drain. ` +
        'Is this the agent\'s --prefix / FALCONER_PREFIX?',
    )
  }
  const markerFile = drainMarkerPath(opts.paths.stateDir)
  const marker = markerToWrite(await readDrainMarker(markerFile), opts.scope, (opts.now ?? (() => new Date()))())
  await writeDrainMarker(markerFile, marker)
  say(`Draining node: marker ${markerFile} written; waiting for the agent (pid ${pid}) to apply it...`)
  await waitApplied(opts, pid, (a) => a.id === marker.id, 'the drained config')
  say('The agent applied the drained config: every route is exported with GRACEFUL_SHUTDOWN (65535:0), local preference 0 to iBGP peers and this node\'s AS prepended to eBGP peers.')
  if (opts.settleMs > 0) {
    say(
      `Waiting ${opts.settleMs / 1000}s for peers to move traffic to other paths (falconer cannot see the peers' forwarding tables; --wait sets this time)...`,
    )
    await sleep(opts.settleMs)
  }
  say(opts.scope === 'maintenance' ? 'Node drained. It stays drained, also across restarts, until: falconer node undrain' : 'Node drained.')
  return marker
}

export async function undrainNode(opts: Omit<DrainOptions, 'scope' | 'settleMs'>, say: Say): Promise<void> {
  const markerFile = drainMarkerPath(opts.paths.stateDir)
  const had = await readDrainMarker(markerFile)
  await removeDrainMarker(markerFile)
  const pid = await runningAgent(opts.paths.agentPid)
  if (pid === undefined) {
    say(had === undefined ? 'Node was not drained; no agent is running.' : 'Drain marker removed; no agent is running, so the node starts undrained.')
    return
  }
  say(`${had === undefined ? 'Node was not drained' : `Drain marker ${markerFile} removed`}; waiting for the agent (pid ${pid}) to apply the undrained config...`)
  await waitApplied(opts, pid, (a) => a.id === undefined, 'the undrained config')
  say('Node undrained: routes are exported with their usual attributes again.')
}

async function waitApplied(
  opts: Omit<DrainOptions, 'scope' | 'settleMs'>,
  pid: number,
  done: (a: DrainApplied) => boolean,
  what: string,
): Promise<void> {
  const file = drainAppliedPath(opts.paths.runDir)
  const deadline = Date.now() + opts.applyTimeoutMs
  for (;;) {
    const applied = await readDrainApplied(file)
    if (applied !== undefined && done(applied)) return
    if (!isAlive(pid)) throw new DrainError(`The falconer agent (pid ${pid}) exited before it applied ${what}; check its log.`)
    if (Date.now() >= deadline) {
      throw new DrainError(
        `The falconer agent (pid ${pid}) has not applied ${what} within ${Math.round(opts.applyTimeoutMs / 1000)}s ` +
          `(${file} ${applied === undefined ? 'does not exist' : 'names another state'}). ` +
          'Check its log: BIRD may have rejected the config, or the agent runs without a BGP backend (CALICO_NETWORKING_BACKEND=none).',
      )
    }
    await sleep(opts.pollMs ?? 200)
  }
}

/** `node status`'s line above the tables; undefined when the node is not drained. Pure. */
export function drainStatusLine(marker: DrainMarker | undefined, applied: DrainApplied | undefined): string | undefined {
  if (marker === undefined) {
    return applied?.id !== undefined ? 'Node is being undrained: the agent still runs the drained config.' : undefined
  }
  const since = marker.since === '' ? '' : ` since ${marker.since}`
  const how = marker.scope === 'stop' ? 'for a stop' : 'for maintenance'
  const undo = marker.scope === 'stop' ? '' : ' (falconer node undrain reverts it)'
  if (applied?.id === marker.id) return `Node is DRAINED ${how}${since}${undo}: routes are exported as least preferred (GRACEFUL_SHUTDOWN).`
  return `Node drain ${how} requested${since}${undo}; the agent has not applied it (yet).`
}
