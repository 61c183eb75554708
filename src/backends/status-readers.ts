import { stat } from 'node:fs/promises'
import { BirdControl, BirdUnavailableError } from '../bird/control/index.js'
import { parseStatus } from '../bird/replies/status.js'
import { bird1Reader, type FamilyReader } from '../status/family-reader.js'
import { bird2Readers } from './bird2/family-readers.js'
import { GobgpCli } from './gobgp/gobgp-cli.js'
import { gobgpReaders } from './gobgp/readers.js'

export interface StatusReaders {
  readonly v4: FamilyReader
  readonly v6: FamilyReader
  /** Which BIRD answered on the IPv4 socket ("2.0.12"), if any (gobgpd's is in its status()). */
  readonly version: string | undefined
  /** Which kind of daemon the readers read (BIRD 1.6 when nothing answered). */
  readonly backend: 'bird1' | 'bird2' | 'gobgp'
  close(): Promise<void>
}

export interface StatusSockets {
  readonly birdSocket: string
  readonly bird6Socket: string
  /** gobgpd's API socket; not looked at when absent. */
  readonly gobgpSocket?: string
  /** The `gobgp` client (FALCONER_GOBGP_BIN); default `gobgp` on PATH. */
  readonly gobgpBinary?: string
}

/**
 * Readers for `node status`, from the daemons' sockets alone (no datastore, no flag): the
 * greeting of bird.ctl says which BIRD runs there. BIRD 2 answers for both families on
 * that one socket; when no BIRD answers on bird.ctl and gobgpd's API socket is there,
 * the node runs the GoBGP backend; otherwise bird.ctl and bird6.ctl are BIRD 1.6's two
 * daemons (and the table says they are not running).
 */
export async function openStatusReaders(sockets: StatusSockets, timeoutMs: number): Promise<StatusReaders> {
  const v4 = new BirdControl({ socketPath: sockets.birdSocket, timeoutMs })
  const v6 = new BirdControl({ socketPath: sockets.bird6Socket, timeoutMs })
  // Both sockets at once, and a daemon that did not answer is not asked again: with a hung
  // BIRD 1.6 pair, node status then waits one timeout in all, not one per daemon and question.
  const [probe4, probe6] = await Promise.allSettled([v4.request('show status'), v6.request('show status')])
  let version: string | undefined
  if (probe4.status === 'fulfilled') {
    try {
      version = parseStatus(probe4.value.lines).version
    } catch {
      // an answer we cannot parse: read it as BIRD 1.6
    }
  }
  const closeAll = async () => {
    await Promise.all([v4.close(), v6.close()])
  }
  if (version?.startsWith('2.')) {
    await v6.close()
    return { ...bird2Readers(v4), version, backend: 'bird2', close: () => v4.close() }
  }
  // Not answering (as opposed to answering badly): a GoBGP node, if gobgpd's socket is there.
  const birdAnswered = probe4.status === 'fulfilled' || !(probe4.reason instanceof BirdUnavailableError)
  if (!birdAnswered && sockets.gobgpSocket !== undefined) {
    // Its socket is enough to tell a GoBGP node (gobgpd removes it when it stops); asking
    // gobgpd here would cost a client run that the readers repeat at once.
    if (await isSocket(sockets.gobgpSocket)) {
      const cli = new GobgpCli({ socket: sockets.gobgpSocket, timeoutMs, ...(sockets.gobgpBinary !== undefined && { binary: sockets.gobgpBinary }) })
      await closeAll()
      return { ...gobgpReaders(cli), version: undefined, backend: 'gobgp', close: async () => {} }
    }
  }
  return {
    v4: probe4.status === 'fulfilled' ? bird1Reader(v4) : unanswered(probe4.reason),
    v6: probe6.status === 'fulfilled' ? bird1Reader(v6) : unanswered(probe6.reason),
    version,
    backend: 'bird1',
    close: closeAll,
  }
}

/** A daemon that failed its first question: every read fails the same way at once. */
function unanswered(reason: unknown): FamilyReader {
  const fail = () => Promise.reject(reason)
  return { status: fail, protocols: fail, routes: fail }
}

async function isSocket(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isSocket()
  } catch {
    return false
  }
}
