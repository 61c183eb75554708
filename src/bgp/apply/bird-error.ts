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

const LOCATION = /^(?:bird6?: )?(.+?):(\d+):(\d+) (.*)$/

export function parseBirdLocation(text: string): BirdConfigLocation | undefined {
  for (const raw of text.split('\n')) {
    const m = LOCATION.exec(raw.trim())
    if (m) return { file: m[1]!, line: Number(m[2]), column: Number(m[3]), message: m[4]! }
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
  ) {
    super(
      location
        ? `BIRD rejected the config at ${location.file}:${location.line}:${location.column}: ${location.message}`
        : `BIRD rejected the config (${stage}): ${detail}`,
    )
  }
}
