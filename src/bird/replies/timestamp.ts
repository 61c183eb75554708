/**
 * A time as BIRD prints it. BIRD 1.6's default `timeformat` for routes and protocols is
 * short: `HH:MM:SS` for events under 20 hours old, `YYYY-MM-DD` after that; `iso long`
 * (the default for `show status`) prints `YYYY-MM-DD HH:MM:SS`. BIRD 2's defaults add
 * milliseconds (`HH:MM:SS.mmm`, `YYYY-MM-DD HH:MM:SS.mmm`): `time` keeps the whole seconds,
 * `raw` everything. Any other (custom strftime) format is kept raw. All are in BIRD's
 * local time zone.
 */
export type BirdTimestamp =
  | { readonly format: 'time'; readonly raw: string; readonly time: string }
  | { readonly format: 'date'; readonly raw: string; readonly date: string }
  | { readonly format: 'datetime'; readonly raw: string; readonly date: string; readonly time: string }
  | { readonly format: 'unknown'; readonly raw: string }

// Route dumps repeat a handful of distinct times a million times: share the (immutable) objects.
const cache = new Map<string, BirdTimestamp>()
const CACHE_LIMIT = 4096

export function parseBirdTimestamp(raw: string): BirdTimestamp {
  const hit = cache.get(raw)
  if (hit !== undefined) return hit
  const ts = classify(raw)
  if (cache.size >= CACHE_LIMIT) cache.clear()
  cache.set(raw, ts)
  return ts
}

function classify(raw: string): BirdTimestamp {
  if (raw.length >= 8 && clockLength(raw, 0) === raw.length) return { format: 'time', raw, time: raw.slice(0, 8) }
  if (isIsoDate(raw, 0)) {
    if (raw.length === 10) return { format: 'date', raw, date: raw }
    if (raw.charCodeAt(10) === 32 && clockLength(raw, 11) === raw.length - 11) {
      return { format: 'datetime', raw, date: raw.slice(0, 10), time: raw.slice(11, 19) }
    }
  }
  return { format: 'unknown', raw }
}

/**
 * The length of `HH:MM:SS` or BIRD 2's `HH:MM:SS.fff` (1 to 6 fraction digits) at `at`,
 * or 0 when there is none.
 */
export function clockLength(s: string, at: number): number {
  if (s.length < at + 8 || !isClockTime(s.slice(at, at + 8), 0)) return 0
  if (s.charCodeAt(at + 8) !== 46 /* . */) return 8
  let end = at + 9
  while (end < s.length && end < at + 15 && digits(s, end, 1)) end++
  return end === at + 9 ? 8 : end - at
}

/** `HH:MM:SS` at `at`, and nothing more of the string when it starts at 0. */
export function isClockTime(s: string, at: number): boolean {
  if (at === 0 && s.length !== 8) return false
  if (s.length < at + 8) return false
  return (
    s.charCodeAt(at + 2) === 58 &&
    s.charCodeAt(at + 5) === 58 &&
    digits(s, at, 2) &&
    digits(s, at + 3, 2) &&
    digits(s, at + 6, 2)
  )
}

/** `YYYY-MM-DD` starting at `at`. */
export function isIsoDate(s: string, at: number): boolean {
  if (s.length < at + 10) return false
  return (
    s.charCodeAt(at + 4) === 45 &&
    s.charCodeAt(at + 7) === 45 &&
    digits(s, at, 4) &&
    digits(s, at + 5, 2) &&
    digits(s, at + 8, 2)
  )
}

function digits(s: string, from: number, count: number): boolean {
  for (let i = from; i < from + count; i++) {
    const c = s.charCodeAt(i)
    if (c < 48 || c > 57) return false
  }
  return true
}

/**
 * The instant a timestamp names, read in this process's time zone (the host's, like
 * BIRD's). A bare `HH:MM:SS` is the latest such time not after `now` (BIRD prints it only
 * for the last 20 hours); a bare date is its midnight. Undefined for custom formats.
 */
export function timestampToDate(ts: BirdTimestamp, now: Date): Date | undefined {
  switch (ts.format) {
    case 'datetime':
      return localDate(ts.date, ts.time)
    case 'date':
      return localDate(ts.date, '00:00:00')
    case 'time': {
      const today = new Date(now.getFullYear(), now.getMonth(), now.getDate(), ...clock(ts.time))
      // BIRD's clock and ours may differ by a second or so; only a clearly future time is yesterday's.
      if (today.getTime() - now.getTime() > 60_000) today.setDate(today.getDate() - 1)
      return today
    }
    case 'unknown':
      return undefined
  }
}

function localDate(date: string, time: string): Date {
  return new Date(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)), ...clock(time))
}

function clock(time: string): [number, number, number] {
  return [Number(time.slice(0, 2)), Number(time.slice(3, 5)), Number(time.slice(6, 8))]
}
