/**
 * What must never leave the host in a diagnostics archive: BGP passwords (in rendered
 * configs, and in any log line that quotes one) and credential fields of resources.
 * Pure, so the rules are tested on their own; the archive test proves the whole.
 */
export const REDACTED = '<redacted>'

/** BIRD's `password "…";` (also quoted inside a log line or an error message). */
const BIRD_PASSWORD = /(password\s+)"(?:[^"\\]|\\.)*"/gi

export function redactText(text: string): string {
  return text.replace(BIRD_PASSWORD, `$1"${REDACTED}"`)
}

const SECRET_FIELD = /password|passwd|token|secret(?!KeyRef)/i

/**
 * A resource with every string under a credential-looking field replaced. A
 * `secretKeyRef` names where a secret lives (name and key), not the secret: it stays.
 */
export function redactValue(value: unknown, underSecret = false): unknown {
  if (typeof value === 'string') return underSecret ? REDACTED : value
  if (Array.isArray(value)) return value.map((v) => redactValue(v, underSecret))
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, k === 'secretKeyRef' ? v : redactValue(v, underSecret || SECRET_FIELD.test(k))]),
    )
  }
  return value
}
