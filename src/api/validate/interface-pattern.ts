import { ValidationError } from '../errors.js'
import { asString } from './fields.js'

/**
 * Interface name patterns (BGPConfiguration.ignoredInterfaces), rendered into BIRD as
 * `-"pattern"`. Only characters that are literal both in BIRD strings and in Linux interface
 * names are allowed, plus `*`; without the `*`s a pattern is at most IFNAMSIZ-1 = 15 long.
 */

const PATTERN = /^[a-zA-Z0-9_.*:@-]+$/

export function isInterfacePattern(s: string): boolean {
  return PATTERN.test(s) && s.replaceAll('*', '').length <= 15
}

export function parseInterfacePattern(v: unknown, path: string): string {
  const s = asString(v, path)
  if (!PATTERN.test(s)) {
    throw new ValidationError(path, `${JSON.stringify(s)} is not an interface pattern (letters, digits, '_', '.', ':', '@', '-' and '*')`)
  }
  if (s.replaceAll('*', '').length > 15) {
    throw new ValidationError(path, `${JSON.stringify(s)} is too long: interface names have at most 15 characters`)
  }
  return s
}
