import { BirdControl } from '../bird/control/index.js'
import { parseStatus } from '../bird/replies/status.js'
import { bird1Reader, type FamilyReader } from '../status/family-reader.js'
import { bird2Readers } from './bird2/family-readers.js'

export interface StatusReaders {
  readonly v4: FamilyReader
  readonly v6: FamilyReader
  /** Which BIRD answered on the IPv4 socket ("2.0.12"), if any. */
  readonly version: string | undefined
  close(): Promise<void>
}

/**
 * Readers for `node status`, from the control sockets alone (no datastore, no flag): the
 * greeting of bird.ctl says which BIRD runs there. BIRD 2 answers for both families on
 * that one socket; otherwise bird.ctl and bird6.ctl are BIRD 1.6's two daemons.
 */
export async function openStatusReaders(
  sockets: { readonly birdSocket: string; readonly bird6Socket: string },
  timeoutMs: number,
): Promise<StatusReaders> {
  const v4 = new BirdControl({ socketPath: sockets.birdSocket, timeoutMs })
  let version: string | undefined
  try {
    version = parseStatus((await v4.request('show status')).lines).version
  } catch {
    // not answering (or not parseable): read it as BIRD 1.6; the table says it is not running
  }
  if (version?.startsWith('2.')) {
    return { ...bird2Readers(v4), version, close: () => v4.close() }
  }
  const v6 = new BirdControl({ socketPath: sockets.bird6Socket, timeoutMs })
  return {
    v4: bird1Reader(v4),
    v6: bird1Reader(v6),
    version,
    close: async () => {
      await Promise.all([v4.close(), v6.close()])
    },
  }
}
