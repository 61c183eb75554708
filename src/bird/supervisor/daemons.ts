import type { Paths } from '../../settings/paths.js'

export type BirdDaemonName = 'bird' | 'bird6'

/** Everything needed to run (or find) one BIRD daemon. */
export interface BirdDaemonSpec {
  readonly name: BirdDaemonName
  /** Executable, looked up on PATH unless absolute. */
  readonly binary: string
  readonly config: string
  readonly socket: string
  readonly pidFile: string
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

/** `bird -f -c CFG -s SOCK -P PID`, behind an optional prefix such as `ip netns exec NS`. */
export function birdCommand(spec: BirdDaemonSpec, wrap: readonly string[] = []): { file: string; args: string[] } {
  const argv = [...wrap, spec.binary, '-f', '-c', spec.config, '-s', spec.socket, '-P', spec.pidFile]
  const [file, ...args] = argv as [string, ...string[]]
  return { file, args }
}
