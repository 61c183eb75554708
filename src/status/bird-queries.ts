import { BirdUnavailableError, type BirdControl } from '../bird/control/index.js'
import { parseProtocolDetails, type ProtocolDetails } from '../bird/replies/protocol-details.js'
import { parseRouteBatches, type Route } from '../bird/replies/routes.js'
import { parseStatus, type BirdStatus } from '../bird/replies/status.js'
import { asReader, type BirdSource } from './family-reader.js'
import type { FamilyObservation } from './node-status-content.js'

/** The part of the control client status reading needs. */
export type BirdQuery = Pick<BirdControl, 'request' | 'stream' | 'streamBatches'>

export async function queryStatus(bird: BirdQuery): Promise<BirdStatus> {
  return parseStatus((await bird.request('show status')).lines)
}

export async function queryProtocols(bird: BirdQuery): Promise<ProtocolDetails[]> {
  return parseProtocolDetails((await bird.request('show protocols all')).lines)
}

/**
 * Streamed in batches: a full table is long, and BIRD must not wait on us holding it all
 * as text, nor each line cost an awaited promise.
 */
export async function queryRoutes(bird: BirdQuery, timeoutMs?: number): Promise<Route[]> {
  const routes: Route[] = []
  const batches = bird.streamBatches('show route', timeoutMs === undefined ? {} : { timeoutMs })
  for await (const batch of parseRouteBatches(batches)) for (const route of batch) routes.push(route)
  return routes
}

/**
 * Reads what was asked for from one daemon. A daemon that is not there (no socket, refused,
 * gone mid-reply) is an observation, `answering: false`; a timeout or a protocol error
 * is a failure and propagates, since BIRD may well be there but busy.
 */
export async function observeFamily(
  source: BirdSource | undefined,
  needs: { readonly status: boolean; readonly protocols: boolean; readonly routes: boolean },
): Promise<FamilyObservation> {
  if (source === undefined) return { answering: false }
  const reader = asReader(source)
  try {
    const status = needs.status ? await reader.status() : undefined
    const protocols = needs.protocols ? await reader.protocols() : undefined
    const routes = needs.routes ? await reader.routes() : undefined
    return {
      answering: true,
      ...(status !== undefined && { status }),
      ...(protocols !== undefined && { protocols }),
      ...(routes !== undefined && { routes }),
    }
  } catch (err) {
    if (err instanceof BirdUnavailableError) return { answering: false }
    throw err
  }
}
