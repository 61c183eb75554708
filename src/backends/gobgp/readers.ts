import { stat } from 'node:fs/promises'
import { execa } from 'execa'
import { BirdUnavailableError } from '../../bird/control/index.js'
import type { FamilyReader } from '../../status/family-reader.js'
import type { IpFamily } from '../../status/samples.js'
import { GobgpCliError, type GobgpCli } from './gobgp-cli.js'
import { familyNeighbors, globalStatus, ribRoutes, type GobgpGlobal, type GobgpPeer, type GobgpRib } from './replies.js'

export interface GobgpReadersOptions {
  /** What `status().version` says; default "gobgpd X" from `gobgp --version` (same package as gobgpd). */
  readonly version?: string
  readonly now?: () => Date
}

/**
 * gobgpd seen as two families, like BIRD 1.6's bird and bird6, so everything above
 * (`node status`, CalicoNodeStatus, per-family health and metrics) reads it unchanged:
 * IPv4 neighbors and the IPv4 RIB in `v4`, IPv6 ones in `v6`. Each call asks gobgpd
 * afresh; the neighbor list both families ask for at the same moment is fetched once.
 *
 * gobgpd that is not there is BirdUnavailableError, as a BIRD whose socket is missing or
 * refusing: the socket file is looked at first (the gobgp client would wait a second for
 * a socket that does not exist), and the client's own "unavailable" answer maps to it too.
 */
export function gobgpReaders(cli: GobgpCli, opts: GobgpReadersOptions = {}): { v4: FamilyReader; v6: FamilyReader } {
  const now = opts.now ?? (() => new Date())
  const inFlight = new Map<string, Promise<unknown>>()
  let version: Promise<string> | undefined

  /** The socket's time is gobgpd's start (it binds the API socket as it starts). */
  const socketTime = async (command: string): Promise<Date> => {
    try {
      const s = await stat(cli.socket)
      if (!s.isSocket()) throw new BirdUnavailableError(cli.socket, 'failed', command, { cause: new Error('not a socket') })
      return s.mtime
    } catch (err) {
      if (err instanceof BirdUnavailableError) throw err
      const code = (err as NodeJS.ErrnoException).code
      throw new BirdUnavailableError(cli.socket, code === 'ENOENT' ? 'missing' : code === 'EACCES' ? 'denied' : 'failed', command, { cause: err })
    }
  }

  const ask = async <T>(args: readonly string[]): Promise<T> => {
    const command = `gobgp ${args.join(' ')}`
    await socketTime(command)
    try {
      return await cli.json<T>(args)
    } catch (err) {
      if (err instanceof GobgpCliError && err.unavailable) throw new BirdUnavailableError(cli.socket, 'refused', command, { cause: new Error(err.reason) })
      throw err
    }
  }

  /** One request for callers that ask at the same moment (v4 and v6 both want the neighbor list). */
  const shared = <T>(args: readonly string[]): Promise<T> => {
    const key = args.join('\0')
    const pending = inFlight.get(key)
    if (pending !== undefined) return pending as Promise<T>
    const p = ask<T>(args).finally(() => inFlight.delete(key))
    inFlight.set(key, p)
    return p
  }

  const daemonVersion = (): Promise<string> =>
    (version ??= opts.version !== undefined ? Promise.resolve(opts.version) : clientVersion(cli.binary))

  const reader = (family: IpFamily): FamilyReader => ({
    status: async () => {
      const startedAt = await socketTime('gobgp global')
      const [global, v] = await Promise.all([shared<GobgpGlobal | null>(['global']), daemonVersion()])
      return globalStatus(global, { version: v, startedAt, now: now() })
    },
    protocols: async () => familyNeighbors(await shared<GobgpPeer[] | null>(['neighbor']), family),
    routes: async () => {
      const [rib, peers] = await Promise.all([
        ask<GobgpRib | null>(['global', 'rib', '-a', family === 4 ? 'ipv4' : 'ipv6']),
        shared<GobgpPeer[] | null>(['neighbor']),
      ])
      const names = new Map<string, string>()
      for (const p of peers ?? []) {
        const address = p.state?.neighbor_address ?? p.conf?.neighbor_address
        const name = p.conf?.description
        if (address !== undefined && name !== undefined && name !== '') names.set(address, name)
      }
      return ribRoutes(rib, (neighbor) => names.get(neighbor))
    },
  })
  return { v4: reader(4), v6: reader(6) }
}

/** "gobgp version 3.10.0" → "gobgpd 3.10.0"; Debian ships gobgp and gobgpd in one package. */
async function clientVersion(binary: string): Promise<string> {
  const r = await execa(binary, ['--version'], { reject: false, timeout: 10_000, stdin: 'ignore' })
  const m = /version\s+(\S+)/.exec(r.stdout)
  return m === null ? 'gobgpd' : `gobgpd ${m[1]}`
}
