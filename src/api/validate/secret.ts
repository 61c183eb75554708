import type { BGPPassword, SecretKeyRef } from '../types.js'
import { ValidationError } from '../errors.js'
import { asBoolean, asObject, asString, checkFields, optional, required, setOwn } from './fields.js'
import { parseName } from './names.js'

/**
 * BGP passwords. The resource only names a secret (secretKeyRef); the value is read
 * elsewhere and must pass isBirdSafeSecret before it is written into `password "…";`.
 */

export const MAX_SECRET_LENGTH = 80

/**
 * Whether `value` can be written between double quotes in bird.cfg and mean exactly itself:
 * 1..80 printable ASCII characters (80 = TCP_MD5SIG_MAXKEYLEN), no `"` (it ends the string:
 * BIRD 1.6's lexer has no escapes) and no `\` (literal in BIRD 1.6, an escape in BIRD 2, so
 * its meaning would depend on the reader).
 */
export function isBirdSafeSecret(value: string): boolean {
  return value.length >= 1 && value.length <= MAX_SECRET_LENGTH && /^[\x20-\x21\x23-\x5b\x5d-\x7e]+$/.test(value)
}

const SECRET_KEY = /^[-._a-zA-Z0-9]+$/

function parseSecretKey(v: unknown, path: string): string {
  const s = asString(v, path)
  if (s.length > 253 || !SECRET_KEY.test(s)) {
    throw new ValidationError(path, `${JSON.stringify(s)} is not a valid secret key (letters, digits, '-', '_' and '.')`)
  }
  return s
}

function parseSecretKeyRef(v: unknown, path: string): SecretKeyRef {
  const o = asObject(v, path)
  checkFields(o, path, ['name', 'key', 'optional'])
  const ref: SecretKeyRef = {
    name: required(o, 'name', path, parseName),
    key: required(o, 'key', path, parseSecretKey),
  }
  // Kubernetes' SecretKeySelector carries `optional`; keep it so nothing is lost on rewrite.
  const opt = optional(o, 'optional', path, asBoolean)
  if (opt !== undefined) setOwn(ref, 'optional', opt)
  return ref
}

export function parsePassword(v: unknown, path: string): BGPPassword {
  const o = asObject(v, path)
  checkFields(o, path, ['secretKeyRef'])
  return { secretKeyRef: required(o, 'secretKeyRef', path, parseSecretKeyRef) }
}
