import { ValidationError } from '../errors.js'
import { asString } from './fields.js'

/**
 * Go `time.Duration` text (what Calico stores for metav1.Duration): `120s`, `2m30s`,
 * `1.5h`, `300ms`. Parsed exactly in integer nanoseconds, as Go does.
 */

const UNIT_NS: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1_000n,
  'µs': 1_000n, // U+00B5 micro sign
  'μs': 1_000n, // U+03BC Greek mu
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
}

const MAX_NS = (1n << 63n) - 1n

export function parseGoDurationNs(text: unknown, path = ''): bigint {
  const s = asString(text, path)
  const bad = (why: string): ValidationError =>
    new ValidationError(path, `${JSON.stringify(s)} is not a Go duration (${why}; e.g. "120s", "2m30s", "1h")`)
  let rest = s
  let negative = false
  if (rest.startsWith('-') || rest.startsWith('+')) {
    negative = rest.startsWith('-')
    rest = rest.slice(1)
  }
  if (rest === '0') return 0n
  if (rest === '') throw bad('empty')
  let total = 0n
  while (rest !== '') {
    const m = /^([0-9]*)(?:\.([0-9]*))?([^0-9.]*)/.exec(rest)
    const whole = m?.[1] ?? ''
    const frac = m?.[2] ?? ''
    const unit = m?.[3] ?? ''
    if (!m || (whole === '' && frac === '')) throw bad('expected a number')
    if (unit === '') throw bad('missing unit')
    const scale = UNIT_NS[unit]
    if (scale === undefined) throw bad(`unknown unit ${JSON.stringify(unit)}`)
    let ns = BigInt(whole || '0') * scale
    if (frac !== '') ns += (BigInt(frac) * scale) / 10n ** BigInt(frac.length)
    total += ns
    if (total > MAX_NS) throw bad('out of range')
    rest = rest.slice(m[0].length)
  }
  return negative ? -total : total
}

/** Seconds (fractional when the duration is not whole seconds). */
export function parseGoDuration(text: unknown, path = ''): number {
  return Number(parseGoDurationNs(text, path)) / 1e9
}

/** Go's Duration.String(): `2m0s`, `1h0m0s`, `1.5s`, `300ms`, `0s`. */
export function formatGoDurationNs(ns: bigint): string {
  if (ns === 0n) return '0s'
  const sign = ns < 0n ? '-' : ''
  const u = ns < 0n ? -ns : ns
  const frac = (value: bigint, digits: number): string => {
    const scale = 10n ** BigInt(digits)
    const f = (value % scale).toString().padStart(digits, '0').replace(/0+$/, '')
    return `${value / scale}${f ? `.${f}` : ''}`
  }
  if (u < 1_000n) return `${sign}${u}ns`
  if (u < 1_000_000n) return `${sign}${frac(u, 3)}µs`
  if (u < 1_000_000_000n) return `${sign}${frac(u, 6)}ms`
  const seconds = frac(u % 60_000_000_000n, 9)
  const minutes = u / 60_000_000_000n
  if (minutes === 0n) return `${sign}${seconds}s`
  const hours = minutes / 60n
  if (hours === 0n) return `${sign}${minutes}m${seconds}s`
  return `${sign}${hours}h${minutes % 60n}m${seconds}s`
}

/**
 * BGP graceful restart time (BGPPeer.maxRestartTime, BGPConfiguration.nodeMeshMaxRestartTime):
 * 0..4095 s. The OPEN message carries it in 12 bits and BIRD 1.6 writes larger values over
 * the capability's flag bits, so a bigger value would not mean what it says.
 * Returns Go's canonical text (`120s` → `2m0s`).
 */
export const MAX_RESTART_SECONDS = 4095

export function parseRestartTime(v: unknown, path: string): string {
  const ns = parseGoDurationNs(v, path)
  if (ns < 0n) throw new ValidationError(path, `must not be negative, got ${JSON.stringify(v)}`)
  if (ns > BigInt(MAX_RESTART_SECONDS) * 1_000_000_000n) {
    throw new ValidationError(path, `must be at most ${MAX_RESTART_SECONDS}s (1h8m15s): BGP carries the restart time in 12 bits`)
  }
  return formatGoDurationNs(ns)
}
