export { buildIntent } from './build.js'
export { hashRouterId } from './router-id.js'
export type * from './types.js'
export { DRAIN } from './types.js'

import type { FamilyIntent } from './types.js'

/** Whether the rendered file will hold a BGP password (then it must be mode 0600, invariant 7 in docs/design.md). */
export function holdsPassword(f: FamilyIntent): boolean {
  return f.enabled && f.peers.some((p) => p.password !== undefined)
}
