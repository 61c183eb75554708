import { ValidationError } from '../errors.js'
import { describe } from './fields.js'

/**
 * BGP AS numbers: 1..4294967295, given as a JSON number, a numeric string ("64512") or
 * asdot ("1.10" = 1*65536+10). Stored and rendered as a plain number.
 */

export const MAX_AS_NUMBER = 4294967295

const RANGE = `AS number must be between 1 and ${MAX_AS_NUMBER}`

function inRange(n: number, path: string): number {
  if (n < 1 || n > MAX_AS_NUMBER) throw new ValidationError(path, `${RANGE}, got ${n}`)
  return n
}

export function parseAsNumber(v: unknown, path = ''): number {
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) {
      // YAML reads an unquoted asdot `1.10` as the float 1.1: the digits are already lost.
      throw new ValidationError(path, `${v} is not an integer AS number (quote asdot notation: "1.10")`)
    }
    return inRange(v, path)
  }
  if (typeof v !== 'string') throw new ValidationError(path, `expected an AS number, got ${describe(v)}`)
  const plain = /^[0-9]{1,10}$/.exec(v)
  if (plain) return inRange(Number(v), path)
  const dot = /^([0-9]{1,5})\.([0-9]{1,5})$/.exec(v)
  if (dot) {
    const high = Number(dot[1])
    const low = Number(dot[2])
    if (high > 65535 || low > 65535) {
      throw new ValidationError(path, `asdot halves must be between 0 and 65535, got ${JSON.stringify(v)}`)
    }
    return inRange(high * 65536 + low, path)
  }
  throw new ValidationError(path, `${JSON.stringify(v)} is not an AS number (expected e.g. 64512 or asdot 1.10)`)
}

export function formatAsNumber(n: number): string {
  return String(n)
}

export function formatAsDot(n: number): string {
  return n < 65536 ? String(n) : `${Math.floor(n / 65536)}.${n % 65536}`
}
