import type { Problem } from './types.js'

/** Collects problems; `attempt` turns a throwing parse into `undefined` plus a problem. */
export class ProblemSink {
  private readonly list: Problem[] = []

  add(key: string, field: string, reason: string): void {
    this.list.push({ key, field, reason })
  }

  addAll(problems: readonly Problem[]): void {
    for (const p of problems) this.list.push(p)
  }

  /**
   * Runs `parse`; on any error records it against key/field and returns undefined.
   * Any error, not only ValidationError: resources reach the intent builder as plain
   * objects, and a shape nobody expected must cost one resource, never the whole config.
   */
  attempt<T>(key: string, field: string, parse: () => T): T | undefined {
    try {
      return parse()
    } catch (err) {
      // A ValidationError knows the exact field (`spec.communities[2].value`).
      const path = err && typeof err === 'object' && 'path' in err && typeof err.path === 'string' && err.path ? err.path : field
      this.add(key, path, reasonOf(err))
      return undefined
    }
  }

  /** Sorted by key, field, reason; duplicates removed (prepared problems repeat per family). */
  sorted(): Problem[] {
    const seen = new Set<string>()
    const out: Problem[] = []
    for (const p of this.list) {
      const id = `${p.key}\u0000${p.field}\u0000${p.reason}`
      if (seen.has(id)) continue
      seen.add(id)
      out.push(p)
    }
    return out.sort((a, b) => cmp(a.key, b.key) || cmp(a.field, b.field) || cmp(a.reason, b.reason))
  }
}

function reasonOf(err: unknown): string {
  if (err && typeof err === 'object' && 'reason' in err && typeof err.reason === 'string') return err.reason
  if (err && typeof err === 'object' && 'detail' in err && typeof err.detail === 'string') {
    const column = 'column' in err && typeof err.column === 'number' ? ` at column ${err.column}` : ''
    return `invalid selector${column}: ${err.detail}`
  }
  return err instanceof Error ? err.message : String(err)
}

export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
