import { ConfigRejectedError, parseBirdLocation } from './bird-error.js'
import type { ReloadResult } from './config-applier.js'

/**
 * The part of the control client reload needs: one request, typed errors. Kept as a
 * structural type so this module does not depend on the client's implementation.
 */
export interface ConfigureChannel {
  request(cmd: string, opts?: { timeoutMs?: number }): Promise<{ lines: readonly { code?: number; text: string }[] }>
}

/** Error classes of the control client that mean "nobody is listening". */
export type IsUnavailable = (err: unknown) => boolean
/** The 8xxx error thrown by the control client, as (code, text) or undefined. */
export type AsCommandError = (err: unknown) => { code: number; text: string } | undefined

/**
 * `configure "FILE"` (BIRD only re-reads when asked; a quoted path is required for
 * names with dots). 0003 reconfigured, 0004 in progress, 8002 rejected with file:line:col.
 * Reconfiguration can stall BIRD for a while on big configs, hence the generous timeout.
 */
export async function reloadBird(
  channel: ConfigureChannel,
  file: string,
  classify: { isUnavailable: IsUnavailable; asCommandError: AsCommandError },
  timeoutMs = 30_000,
): Promise<ReloadResult> {
  try {
    const reply = await channel.request(`configure "${file}"`, { timeoutMs })
    const codes = reply.lines.map((l) => l.code)
    if (codes.includes(3)) return 'reconfigured'
    if (codes.includes(4)) return 'in-progress'
    const last = reply.lines.at(-1)
    throw new ConfigRejectedError('configure', `unexpected reply: ${last ? `${last.code ?? ''} ${last.text}` : '(empty)'}`)
  } catch (err) {
    if (classify.isUnavailable(err)) return 'not-running'
    const cmd = classify.asCommandError(err)
    if (cmd) throw new ConfigRejectedError('configure', `${cmd.code} ${cmd.text}`, parseBirdLocation(cmd.text))
    throw err
  }
}
