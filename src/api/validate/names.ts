import { ValidationError } from '../errors.js'
import { asObject, asString, entry, setOwn } from './fields.js'

/** Resource names and Kubernetes label syntax, as Calico (k8s apimachinery) checks them. */

const LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?'
const SUBDOMAIN = new RegExp(`^${LABEL}(\\.${LABEL})*$`)
const DNS_LABEL = new RegExp(`^${LABEL}$`)
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/

/** Lowercase RFC 1123 subdomain, at most 253 characters. */
export function isValidName(name: string): boolean {
  return name.length <= 253 && SUBDOMAIN.test(name)
}

/** Lowercase RFC 1123 label, at most 63 characters (namespaces). */
export function isValidDnsLabel(name: string): boolean {
  return name.length <= 63 && DNS_LABEL.test(name)
}

export function parseName(v: unknown, path: string): string {
  const s = asString(v, path)
  if (s.length > 253) throw new ValidationError(path, `name is ${s.length} characters long, at most 253 are allowed`)
  if (!SUBDOMAIN.test(s)) {
    throw new ValidationError(
      path,
      `${JSON.stringify(s)} is not a valid name: use lower case letters, digits, '-' and '.', starting and ending with a letter or digit`,
    )
  }
  return s
}

export function parseDnsLabel(v: unknown, path: string): string {
  const s = asString(v, path)
  if (!isValidDnsLabel(s)) {
    throw new ValidationError(path, `${JSON.stringify(s)} is not a valid DNS label: at most 63 lower case letters, digits and '-', starting and ending with a letter or digit`)
  }
  return s
}

/** Why `key` is not a Kubernetes qualified name (`[prefix/]name`), or undefined when it is. */
export function labelKeyProblem(key: string): string | undefined {
  const parts = key.split('/')
  if (parts.length > 2) return 'a label key has at most one "/"'
  const name = parts.length === 2 ? (parts[1] ?? '') : key
  if (parts.length === 2) {
    const prefix = parts[0] ?? ''
    if (prefix === '') return 'the prefix before "/" must not be empty'
    if (prefix.length > 253 || !SUBDOMAIN.test(prefix)) {
      return `prefix ${JSON.stringify(prefix)} must be a lower case DNS subdomain`
    }
  }
  if (name === '') return 'the name part must not be empty'
  if (name.length > 63) return `the name part is ${name.length} characters long, at most 63 are allowed`
  if (!QUALIFIED_NAME.test(name)) {
    return `name part ${JSON.stringify(name)} may hold letters, digits, '-', '_' and '.', and must start and end with a letter or digit`
  }
  return undefined
}

export function labelValueProblem(value: string): string | undefined {
  if (value.length > 63) return `the value is ${value.length} characters long, at most 63 are allowed`
  if (!LABEL_VALUE.test(value)) {
    return `value ${JSON.stringify(value)} may hold letters, digits, '-', '_' and '.', and must start and end with a letter or digit`
  }
  return undefined
}

export function parseLabels(v: unknown, path: string): Record<string, string> {
  const o = asObject(v, path)
  const out: Record<string, string> = {}
  for (const [key, raw] of Object.entries(o)) {
    const p = entry(path, key)
    const keyProblem = labelKeyProblem(key)
    if (keyProblem) throw new ValidationError(p, `invalid label key: ${keyProblem}`)
    const value = asString(raw, p)
    const valueProblem = labelValueProblem(value)
    if (valueProblem) throw new ValidationError(p, `invalid label value: ${valueProblem}`)
    setOwn(out, key, value)
  }
  return out
}

const ANNOTATIONS_MAX_BYTES = 256 * 1024

export function parseAnnotations(v: unknown, path: string): Record<string, string> {
  const o = asObject(v, path)
  const out: Record<string, string> = {}
  let size = 0
  for (const [key, raw] of Object.entries(o)) {
    const p = entry(path, key)
    // Kubernetes checks annotation keys case-insensitively.
    const keyProblem = labelKeyProblem(key.toLowerCase())
    if (keyProblem) throw new ValidationError(p, `invalid annotation key: ${keyProblem}`)
    const value = asString(raw, p)
    size += Buffer.byteLength(key) + Buffer.byteLength(value)
    setOwn(out, key, value)
  }
  if (size > ANNOTATIONS_MAX_BYTES) {
    throw new ValidationError(path, `annotations total ${size} bytes, at most ${ANNOTATIONS_MAX_BYTES} are allowed`)
  }
  return out
}
