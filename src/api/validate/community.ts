import { ValidationError } from '../errors.js'
import { asString } from './fields.js'

/** BGP communities: standard `aa:nn` (16-bit halves) and large `aa:nn:mm` (32-bit parts). */

export type CommunityValue =
  | { kind: 'standard'; parts: readonly [number, number] }
  | { kind: 'large'; parts: readonly [number, number, number] }

const COMMUNITY_NAME = /^[a-zA-Z0-9_-]+$/

export function isCommunityName(s: string): boolean {
  return COMMUNITY_NAME.test(s)
}

export function parseCommunityName(v: unknown, path: string): string {
  const s = asString(v, path)
  if (!isCommunityName(s)) {
    throw new ValidationError(path, `${JSON.stringify(s)} is not a valid community name (letters, digits, '_' and '-')`)
  }
  return s
}

/** Whether `s` looks like a community value rather than a name (names cannot hold ':'). */
export const looksLikeCommunityValue = (s: string): boolean => s.includes(':')

export function parseCommunityValue(v: unknown, path: string): CommunityValue {
  const s = asString(v, path)
  const fields = s.split(':')
  if ((fields.length !== 2 && fields.length !== 3) || !fields.every((f) => /^[0-9]{1,10}$/.test(f))) {
    throw new ValidationError(path, `${JSON.stringify(s)} is not a community (expected aa:nn or large aa:nn:mm)`)
  }
  const nums = fields.map(Number)
  const max = fields.length === 2 ? 65535 : 4294967295
  const over = nums.find((n) => n > max)
  if (over !== undefined) {
    const kind = fields.length === 2 ? 'standard community parts' : 'large community parts'
    throw new ValidationError(path, `${kind} must be between 0 and ${max}, got ${over} in ${JSON.stringify(s)}`)
  }
  const [a = 0, b = 0, c = 0] = nums
  return fields.length === 2 ? { kind: 'standard', parts: [a, b] } : { kind: 'large', parts: [a, b, c] }
}

export function formatCommunity(c: CommunityValue): string {
  return c.parts.join(':')
}
