import { BirdUnavailableError } from '../bird/control/index.js'
import type { RouteCounts } from '../bird/replies/protocol-details.js'
import { timestampToDate } from '../bird/replies/timestamp.js'
import { asReader, type BirdSource } from './family-reader.js'
import { peerRows, peerSamples } from './peers.js'
import type { BirdSample, IpFamily, RouteCountsSample } from './samples.js'

/**
 * One poll of a daemon for health and metrics: its BGP sessions and per-protocol route
 * counts from `show protocols all`. A daemon that does not answer is a sample too.
 */
export async function sampleBird(source: BirdSource, family: IpFamily, now: () => Date = () => new Date()): Promise<BirdSample> {
  try {
    const protocols = await asReader(source).protocols()
    const at = now()
    const byName = new Map(protocols.map((p) => [p.name, p]))
    return {
      answering: true,
      peers: peerSamples(peerRows(protocols, family)).map((peer) => {
        const p = byName.get(peer.protocol)
        const since = p && timestampToDate(p.since, at)
        return {
          ...peer,
          ...(since !== undefined && { sinceMs: since.getTime() }),
          ...(p?.routes !== undefined && { routes: counts(p.routes) }),
        }
      }),
      routes: protocols.flatMap((p) => (p.routes === undefined ? [] : [{ protocol: p.name, ...counts(p.routes) }])),
    }
  } catch (err) {
    if (err instanceof BirdUnavailableError) return { answering: false, reason: err.message }
    return { answering: false, reason: err instanceof Error ? err.message : String(err) }
  }
}

function counts(r: RouteCounts): RouteCountsSample {
  return {
    imported: r.imported,
    ...(r.exported !== undefined && { exported: r.exported }),
    ...(r.preferred !== undefined && { preferred: r.preferred }),
    ...(r.filtered !== undefined && { filtered: r.filtered }),
  }
}
