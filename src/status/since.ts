import { timestampToDate, type BirdTimestamp } from '../bird/replies/timestamp.js'

const TWENTY_HOURS_MS = 20 * 3600 * 1000

/**
 * A full `YYYY-MM-DD HH:MM:SS` (our templates use `timeformat protocol iso long`, which is
 * stable) shortened the way BIRD's default format and so calicoctl show it: the time of
 * day for events under 20 hours old, the date otherwise. The age is measured against
 * BIRD's own "current server time", so both sides use BIRD's clock and time zone.
 */
export function shortSince(since: BirdTimestamp, serverTime: BirdTimestamp | undefined, now: Date): string {
  if (since.format !== 'datetime') return since.raw
  const at = timestampToDate(since, now)
  const reference = (serverTime && timestampToDate(serverTime, now)) ?? now
  if (at === undefined) return since.raw
  return reference.getTime() - at.getTime() < TWENTY_HOURS_MS ? since.time : since.date
}
