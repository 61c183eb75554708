import { parseConfigError } from '../../bird/replies/index.js'

/**
 * Where BIRD says a config is wrong. Both `bird -p` (stderr `bird: FILE:L:C msg`) and the
 * control socket (`8002 FILE:L:C msg`) report the same location form.
 */
export interface BirdConfigLocation {
  readonly file: string
  readonly line: number
  readonly column: number
  readonly message: string
}

/**
 * The first line of `text` that carries a location, in either form. The parsing itself is
 * the replies module's (parseConfigError); this only flattens it for the apply stage.
 */
export function parseBirdLocation(text: string): BirdConfigLocation | undefined {
  for (const line of text.split('\n')) {
    const { location, message } = parseConfigError(line.trim().replace(/^bird6?: /, ''))
    if (location) return { ...location, message }
  }
  return undefined
}

/** BIRD refused a configuration; the last good config stays in place. */
export class ConfigRejectedError extends Error {
  override readonly name = 'ConfigRejectedError'
  constructor(
    readonly stage: 'check' | 'configure',
    readonly detail: string,
    readonly location?: BirdConfigLocation,
    /** Who refused it: BIRD, or gobgpd for the GoBGP backend. */
    daemon = 'BIRD',
  ) {
    super(
      location
        ? `${daemon} rejected the config at ${location.file}:${location.line}:${location.column}: ${location.message}`
        : `${daemon} rejected the config (${stage}): ${detail}`,
    )
  }
}
