import type { BirdDaemonName } from './daemons.js'

/** How a daemon's last run ended. `error` is set when it could not be started at all. */
export interface DaemonExit {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  /** RFC 3339, UTC. */
  readonly at: string
  readonly error?: string
}

export interface DaemonState {
  readonly running: boolean
  /** Set while running (managed: the child's pid; unmanaged: BIRD's pid file, when readable). */
  readonly pid?: number
  /** Times the daemon was started again after it had been running. */
  readonly restarts: number
  readonly lastExit?: DaemonExit
}

export const INITIAL_STATE: DaemonState = { running: false, restarts: 0 }

export type SupervisorEvents = {
  started: [name: BirdDaemonName, pid: number | undefined]
  exited: [name: BirdDaemonName, exit: DaemonExit]
}

/** Where a daemon reports its transitions; the supervisor turns them into events. */
export interface DaemonReporter {
  started(pid: number | undefined): void
  exited(exit: DaemonExit): void
}
