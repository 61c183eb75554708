import type { BGPPeerStatus, BirdDaemonStatus } from '../api/types.js'
import { parseBirdTimestamp, timestampToDate } from '../bird/replies/timestamp.js'
import type { StatusContent } from './node-status-content.js'

/**
 * BIRD 1.6 keeps times as seconds of a monotonic clock and converts them to wall-clock time
 * when it prints them, so the same instant comes out one second apart from one query to
 * the next ("Last reboot on …", a protocol's since). Left alone, that would rewrite a
 * CalicoNodeStatus that did not change. A time within a second of the one already
 * reported for the same daemon or peer is the same instant: keep the reported text.
 */
export function stabiliseTimes(previous: StatusContent, next: StatusContent): StatusContent {
  const agent = next.agent && {
    ...(next.agent.birdV4 && { birdV4: daemon(previous.agent?.birdV4, next.agent.birdV4) }),
    ...(next.agent.birdV6 && { birdV6: daemon(previous.agent?.birdV6, next.agent.birdV6) }),
  }
  const bgp = next.bgp && {
    ...next.bgp,
    ...(next.bgp.peersV4 && { peersV4: peers(previous.bgp?.peersV4, next.bgp.peersV4) }),
    ...(next.bgp.peersV6 && { peersV6: peers(previous.bgp?.peersV6, next.bgp.peersV6) }),
  }
  return { ...next, ...(agent && { agent }), ...(bgp && { bgp }) }
}

function daemon(prev: BirdDaemonStatus | undefined, next: BirdDaemonStatus): BirdDaemonStatus {
  if (prev === undefined) return next
  return {
    ...next,
    ...(next.lastBootTime !== undefined && { lastBootTime: same(prev.lastBootTime, next.lastBootTime) }),
    ...(next.lastReconfigurationTime !== undefined && {
      lastReconfigurationTime: same(prev.lastReconfigurationTime, next.lastReconfigurationTime),
    }),
  }
}

function peers(prev: readonly BGPPeerStatus[] | undefined, next: readonly BGPPeerStatus[]): BGPPeerStatus[] {
  const before = new Map((prev ?? []).map((p) => [`${p.type} ${p.peerIP}`, p]))
  return next.map((p) => {
    const old = before.get(`${p.type} ${p.peerIP}`)
    // A new state is a new event, whatever its time.
    return old === undefined || old.state !== p.state ? p : { ...p, since: same(old.since, p.since) }
  })
}

/** Any fixed reference will do: both texts are read against the same one. */
const REFERENCE = new Date(2000, 0, 1)

function same(prev: string | undefined, next: string): string {
  if (prev === undefined || prev === next) return next
  const a = timestampToDate(parseBirdTimestamp(prev), REFERENCE)
  const b = timestampToDate(parseBirdTimestamp(next), REFERENCE)
  if (a === undefined || b === undefined) return next
  return Math.abs(a.getTime() - b.getTime()) <= 1_000 ? prev : next
}
