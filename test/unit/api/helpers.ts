import type { Test } from 'tap'
import { ValidationError } from '../../../src/api/errors.js'

type T = Pick<Test, 'fail' | 'equal' | 'match'>

/** Asserts that `f` throws ValidationError with exactly `path` and a reason containing `fragment`. */
export function expectInvalid(t: T, f: () => unknown, path: string, fragment: string | RegExp, label = ''): void {
  try {
    const got = f()
    t.fail(`${label}: expected ValidationError at ${path}, got ${JSON.stringify(got)}`)
  } catch (e) {
    if (!(e instanceof ValidationError)) {
      t.fail(`${label}: expected ValidationError, got ${String(e)}`)
      return
    }
    t.equal(e.path, path, `${label}: path`)
    if (typeof fragment === 'string') {
      t.match(e.reason, new RegExp(fragment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')), `${label}: reason has ${JSON.stringify(fragment)}`)
    } else {
      t.match(e.reason, fragment, `${label}: reason matches ${String(fragment)}`)
    }
  }
}

export function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null) {
    for (const x of Object.values(v)) deepFreeze(x)
    Object.freeze(v)
  }
  return v
}

export const V3 = 'projectcalico.org/v3'

export function doc(kind: string, spec: unknown, metadata: Record<string, unknown> = { name: 'x' }): Record<string, unknown> {
  return { apiVersion: V3, kind, metadata, spec }
}
