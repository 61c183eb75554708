import { BirdUnavailableError } from '../bird/control/index.js'
import { asReader, type BirdSource } from './family-reader.js'
import { peerRows, peerSamples } from './peers.js'
import type { BirdSample, IpFamily } from './samples.js'

/**
 * One poll of a daemon for health and metrics: its BGP sessions and per-protocol route
 * counts from `show protocols all`. A daemon that does not answer is a sample too.
 */
export async function sampleBird(source: BirdSource, family: IpFamily): Promise<BirdSample> {
  try {
    const protocols = await asReader(source).protocols()
    return {
      answering: true,
      peers: peerSamples(peerRows(protocols, family)),
      routes: protocols
        .filter((p) => p.routes !== undefined)
        .map((p) => ({ protocol: p.name, imported: p.routes!.imported, exported: p.routes!.exported })),
    }
  } catch (err) {
    if (err instanceof BirdUnavailableError) return { answering: false, reason: err.message }
    return { answering: false, reason: err instanceof Error ? err.message : String(err) }
  }
}
