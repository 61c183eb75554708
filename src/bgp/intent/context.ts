import type { ParsedConfig } from './config.js'
import type { NodeView } from './nodes.js'
import type { Prepared } from './prepare.js'
import type { ProblemSink } from './problems.js'
import type { DebugLevel } from './types.js'

/** What one buildIntent call knows: the prepared snapshot plus this node's view of it. */
export interface Context {
  readonly prepared: Prepared
  readonly problems: ProblemSink
  readonly nodeName: string
  readonly self: NodeView | undefined
  readonly config: NodeConfig
  readonly secrets: ReadonlyMap<string, string>
}

/** BGPConfiguration for this node: node.<name> fields over default ones. */
export interface NodeConfig {
  readonly debug: DebugLevel
  readonly ignoredInterfaces: readonly string[]
  readonly bindNodeIP: boolean
  readonly listenPort?: number
  readonly advertisements: NonNullable<ParsedConfig['prefixAdvertisements']>
}
