import { BirdCommandError, BirdUnavailableError, type BirdControl } from '../../bird/control/index.js'
import { ConfigRejectedError, parseBirdLocation } from './bird-error.js'
import type { ReloadResult } from './config-applier.js'

/**
 * BIRD answered `configure` with a success code it should not give to that command. What
 * it did with the file is unknown, so this is not a rejection (the file stays, and the
 * next apply reloads it again).
 */
export class UnexpectedConfigureReplyError extends Error {
  override readonly name = 'UnexpectedConfigureReplyError'
  constructor(
    readonly file: string,
    readonly code: number,
    readonly text: string,
  ) {
    super(`BIRD answered configure "${file}" with ${String(code).padStart(4, '0')} ${text}`)
  }
}

/**
 * `configure "FILE"` on BIRD's control socket. 0003 reconfigured; 0004 accepted, removed
 * protocols still shutting down; 0005 accepted behind a reconfiguration still in progress
 * (BIRD applies it when that one ends); 0006 ignored because BIRD is shutting down (the next
 * BIRD reads the checked file); 8002 rejected with file:line:col. Reconfiguring a big config
 * stalls BIRD for a while, hence the generous timeout. No socket means BIRD is not running:
 * it will read the (already checked) file when it starts.
 */
export async function reloadBird(bird: BirdControl, file: string, timeoutMs = 30_000): Promise<ReloadResult> {
  try {
    const reply = await bird.request(`configure "${file}"`, { timeoutMs })
    switch (reply.code) {
      case 3:
        return 'reconfigured'
      case 4:
        return 'in-progress'
      case 5:
        return 'queued'
      case 6:
        return 'not-running'
      default:
        throw new UnexpectedConfigureReplyError(file, reply.code, reply.lines.at(-1)?.text ?? '')
    }
  } catch (err) {
    if (err instanceof BirdUnavailableError && (err.reason === 'missing' || err.reason === 'refused')) return 'not-running'
    if (err instanceof BirdCommandError) {
      throw new ConfigRejectedError('configure', `${err.code} ${err.message}`, parseBirdLocation(err.message))
    }
    throw err
  }
}
