import { ValidationError } from '../errors.js'

/**
 * Small readers for untrusted JSON. Each takes the value and the path an operator would
 * read in a manifest, and either returns a typed value or throws ValidationError(path, …).
 * `undefined` and `null` both mean "absent": Go's encoding/json treats them alike, and
 * Calico writes `null` for some unset fields (e.g. `creationTimestamp: null`).
 */

export type Obj = Readonly<Record<string, unknown>>

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

export const child = (path: string, key: string): string => (path ? `${path}.${key}` : key)
export const item = (path: string, index: number): string => `${path}[${index}]`
/** Map entries whose keys may contain dots: `metadata.labels["kubernetes.io/hostname"]`. */
export const entry = (path: string, key: string): string => `${path}[${JSON.stringify(key)}]`

export const isAbsent = (v: unknown): v is undefined | null => v === undefined || v === null

export function describe(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'an array'
  switch (typeof v) {
    case 'string': return `the string ${JSON.stringify(v)}`
    case 'number': return `the number ${String(v)}`
    case 'boolean': return `the boolean ${String(v)}`
    case 'object': return 'an object'
    default: return `a ${typeof v}`
  }
}

export function isPlainObject(v: unknown): v is Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false
  const proto = Object.getPrototypeOf(v) as unknown
  return proto === Object.prototype || proto === null
}

export function asObject(v: unknown, path: string): Obj {
  if (!isPlainObject(v)) throw new ValidationError(path, `expected an object, got ${describe(v)}`)
  return v
}

export function asString(v: unknown, path: string): string {
  if (typeof v !== 'string') throw new ValidationError(path, `expected a string, got ${describe(v)}`)
  return v
}

export function asBoolean(v: unknown, path: string): boolean {
  if (typeof v !== 'boolean') throw new ValidationError(path, `expected true or false, got ${describe(v)}`)
  return v
}

export function asInteger(v: unknown, path: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    throw new ValidationError(path, `expected an integer, got ${describe(v)}`)
  }
  if (v < min || v > max) throw new ValidationError(path, `must be between ${min} and ${max}, got ${v}`)
  return v
}

export function asArray(v: unknown, path: string): readonly unknown[] {
  if (!Array.isArray(v)) throw new ValidationError(path, `expected a list, got ${describe(v)}`)
  return v
}

export function asEnum<T extends string>(v: unknown, path: string, allowed: readonly T[]): T {
  if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return v as T
  throw new ValidationError(path, `must be one of ${allowed.join(', ')}, got ${describe(v)}`)
}

/** `o[key]` if `o` itself has it: a key like `constructor` must not reach Object.prototype. */
export const ownField = (o: Obj, key: string): unknown => (Object.hasOwn(o, key) ? o[key] : undefined)

/** A list of values from `allowed`, each at most once; `what` names one in the error. */
export function asDistinctEnums<T extends string>(v: unknown, path: string, allowed: readonly T[], what: string): T[] {
  const seen = new Set<T>()
  return asArray(v, path).map((raw, i) => {
    const p = item(path, i)
    const value = asEnum(raw, p, allowed)
    if (seen.has(value)) throw new ValidationError(p, `duplicate ${what} ${JSON.stringify(value)}`)
    seen.add(value)
    return value
  })
}

/** The value of an optional field parsed with `parse`, or undefined when absent. */
export function optional<T>(o: Obj, key: string, path: string, parse: (v: unknown, path: string) => T): T | undefined {
  const v = ownField(o, key)
  return isAbsent(v) ? undefined : parse(v, child(path, key))
}

/** Like `optional`, but an empty string also means absent (Go `omitempty` strings). */
export function optionalText<T>(o: Obj, key: string, path: string, parse: (v: unknown, path: string) => T): T | undefined {
  const v = ownField(o, key)
  return isAbsent(v) || v === '' ? undefined : parse(v, child(path, key))
}

/** Parses a field into exactly the type `target[key]` holds. */
type FieldParser<T, K extends keyof T> = (v: unknown, path: string) => Exclude<T[K], undefined>

/**
 * Sets `target[key]` to the parsed value of the same-named optional field of `o`, and leaves
 * it unset when the field is absent (so an absent field never becomes `key: undefined`).
 */
export function assignOptional<T extends object, K extends keyof T & string>(
  target: T, key: K, o: Obj, path: string, parse: FieldParser<T, K>,
): void {
  const v = optional(o, key, path, parse)
  if (v !== undefined) target[key] = v
}

/** Like `assignOptional`, but an empty string also means absent (see `optionalText`). */
export function assignOptionalText<T extends object, K extends keyof T & string>(
  target: T, key: K, o: Obj, path: string, parse: FieldParser<T, K>,
): void {
  const v = optionalText(o, key, path, parse)
  if (v !== undefined) target[key] = v
}

export function required<T>(o: Obj, key: string, path: string, parse: (v: unknown, path: string) => T): T {
  const v = ownField(o, key)
  if (isAbsent(v) || v === '') throw new ValidationError(child(path, key), 'required')
  return parse(v, child(path, key))
}

/**
 * Rejects keys that are not in `known`, naming the first offender and suggesting the
 * field the operator probably meant (`peerIp` → `peerIP`).
 */
export function checkFields(o: Obj, path: string, known: readonly string[]): void {
  for (const key of Object.keys(o)) {
    // `{ status: undefined }` from code is an absent field, not a typo.
    if (known.includes(key) || o[key] === undefined) continue
    const guess = suggest(key, known)
    throw new ValidationError(child(path, key), guess ? `unknown field (did you mean "${guess}"?)` : 'unknown field')
  }
}

function suggest(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase().replace(/[-_]/g, '')
  const sameLetters = known.find((k) => k.toLowerCase() === lower)
  if (sameLetters) return sameLetters
  let best: { name: string; distance: number } | undefined
  for (const k of known) {
    const d = editDistance(key.toLowerCase(), k.toLowerCase())
    if (d <= 2 && (!best || d < best.distance)) best = { name: k, distance: d }
  }
  return best?.name
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const cur = [i]
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      cur.push(Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost))
    }
    prev = cur
  }
  return prev[b.length] ?? 0
}

/**
 * Defines an own enumerable property. Plain assignment would treat a `__proto__` key from
 * JSON.parse as a prototype change instead of data.
 */
export function setOwn(target: object, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
}

/** Deep copy of JSON data; anything that JSON cannot carry is rejected. */
export function cloneJson(v: unknown, path: string): Json {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new ValidationError(path, `expected a finite number, got ${describe(v)}`)
    return v
  }
  if (Array.isArray(v)) return v.map((x, i) => cloneJson(x, item(path, i)))
  if (isPlainObject(v)) {
    const out: { [key: string]: Json } = {}
    for (const [k, x] of Object.entries(v)) {
      if (x !== undefined) setOwn(out, k, cloneJson(x, entry(path, k)))
    }
    return out
  }
  throw new ValidationError(path, `expected JSON data, got ${describe(v)}`)
}

/**
 * Copies fields that Calico defines but falconer does not act on (e.g. Node.spec.wireguard),
 * so that read-modify-write through falconer never drops what Felix or calico/node wrote.
 */
export function copyPreserved(o: Obj, path: string, keys: readonly string[], out: object): void {
  for (const key of keys) {
    const v = ownField(o, key)
    if (!isAbsent(v)) setOwn(out, key, cloneJson(v, child(path, key)))
  }
}
