/**
 * JSON with object keys sorted at every level, so two values that mean the same compare
 * equal as strings whatever order their keys were written in (etcd round trips, other
 * writers). Arrays keep their order: it is part of the content.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  )
}
