import type { Logger } from './log.js'
import type { Settings } from './settings/settings.js'

/**
 * The long-running pipeline: syncer → intent → render → apply → BIRD, plus status
 * reporting and health. It only wires stages together and owns their lifecycles.
 */
export interface AgentOptions {
  readonly settings: Settings
  readonly nodeName: string
  readonly log: Logger
  /** 'none': register only, render nothing (calico/node's CALICO_NETWORKING_BACKEND=none). */
  readonly backend: 'bird' | 'none'
  /** false: BIRD is started by someone else (another unit); the agent only renders and reloads. */
  readonly manageBird: boolean
  /** CALICO_ROUTER_ID: 'hash' or an explicit IPv4; default the node's IPv4 address. */
  readonly routerId?: string
  /** Health/metrics HTTP listener; loopback by default (invariant 7). */
  readonly http?: { readonly host: string; readonly port: number }
  /** Called once the first config has been applied and BIRD answered (for `node run` detach). */
  readonly onReady?: () => void
}

/** Runs until `signal` aborts, then stops every stage cleanly. */
export async function runAgent(_opts: AgentOptions, _signal: AbortSignal): Promise<void> {
  throw new Error('agent pipeline not wired yet')
}
