import type { Paths } from '../../settings/paths.js'

/** BIRD 1.6's two daemons (BIRD 2 runs as `bird`), and the GoBGP backend's gobgpd. */
export type BirdDaemonName = 'bird' | 'bird6' | 'gobgpd'

/** Everything needed to run (or find) one daemon: a BIRD unless `args` says otherwise. */
export interface BirdDaemonSpec {
  readonly name: BirdDaemonName
  /** Executable, looked up on PATH unless absolute. */
  readonly binary: string
  readonly config: string
  readonly socket: string
  readonly pidFile: string
  /** The daemon's arguments; default BIRD's `-f -c CONFIG -s SOCKET -P PIDFILE`. */
  readonly args?: readonly string[]
  /** Appended to `args` when the daemon is started again after it had run (gobgpd's `-r`). */
  readonly restartArgs?: readonly string[]
  /** The daemon writes no pid file of its own (gobgpd): the supervisor writes the child's pid to `pidFile`. */
  readonly supervisorWritesPid?: boolean
  /**
   * The daemon cannot start while a socket from a run that died is left (gobgpd: "address
   * already in use"; BIRD replaces it itself): the supervisor removes it before each start.
   */
  readonly removeStaleSocket?: boolean
  /** Unmanaged: whether the daemon answers at `socket` (default: BIRD's `show status`). */
  readonly probe?: (socketPath: string) => Promise<boolean>
}

/** bird (IPv4) and bird6 (IPv6) at the Settings paths, in that order. */
export function birdDaemonSpecs(
  paths: Paths,
  names: readonly BirdDaemonName[] = ['bird', 'bird6'],
  binaries: Partial<Record<BirdDaemonName, string>> = {},
): BirdDaemonSpec[] {
  return names.map((name) =>
    name === 'bird'
      ? { name, binary: binaries.bird ?? 'bird', config: paths.birdConfig, socket: paths.birdSocket, pidFile: paths.birdPid }
      : { name, binary: binaries.bird6 ?? 'bird6', config: paths.bird6Config, socket: paths.bird6Socket, pidFile: paths.bird6Pid },
  )
}

/**
 * `bird -f -c CFG -s SOCK -P PID` (or the spec's own `args`, plus `restartArgs` on a
 * restart), behind an optional prefix such as `ip netns exec NS`.
 */
export function birdCommand(spec: BirdDaemonSpec, wrap: readonly string[] = [], restart = false): { file: string; args: string[] } {
  const own = spec.args ?? ['-f', '-c', spec.config, '-s', spec.socket, '-P', spec.pidFile]
  const argv = [...wrap, spec.binary, ...own, ...(restart ? (spec.restartArgs ?? []) : [])]
  const [file, ...args] = argv as [string, ...string[]]
  return { file, args }
}
