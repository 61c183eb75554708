import type { Snapshot } from '../api/snapshot.js'
import { buildIntent, holdsPassword } from './intent/index.js'
import type { FamilyIntent, Problem } from './intent/types.js'
import { renderBirdConfig, type Templates } from './render/index.js'

export interface RenderedFamily {
  readonly text: string
  /** invariant 7 in docs/design.md: the file must be 0600 when it carries a BGP password. */
  readonly holdsSecret: boolean
}

export interface RenderedConfigs {
  readonly revision: number
  readonly v4: RenderedFamily
  readonly v6: RenderedFamily
  readonly problems: readonly Problem[]
}

export interface RenderInput {
  readonly snapshot: Snapshot
  readonly nodeName: string
  readonly templates: Templates
  readonly routerId?: string
  readonly secrets?: ReadonlyMap<string, string>
  /** The node is drained for maintenance (the drain marker); backend-neutral. */
  readonly drained?: boolean
}

/** snapshot → intent → text for both daemons. Pure: no clock, no I/O. */
export function renderConfigs(input: RenderInput): RenderedConfigs {
  const intent = buildIntent({
    snapshot: input.snapshot,
    nodeName: input.nodeName,
    ...(input.routerId !== undefined && { routerId: input.routerId }),
    ...(input.secrets !== undefined && { secrets: input.secrets }),
    ...(input.drained === true && { drained: true }),
  })
  const family = (f: FamilyIntent, n: 4 | 6): RenderedFamily => ({
    text: renderBirdConfig(f, n, input.templates),
    holdsSecret: holdsPassword(f),
  })
  return {
    revision: input.snapshot.revision,
    v4: family(intent.v4, 4),
    v6: family(intent.v6, 6),
    problems: intent.problems,
  }
}
