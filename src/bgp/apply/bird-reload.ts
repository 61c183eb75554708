import { BirdCommandError, BirdUnavailableError, type BirdControl } from '../../bird/control/index.js'
import { ConfigRejectedError, parseBirdLocation } from './bird-error.js'
import type { ReloadResult } from './config-applier.js'

/**
 * `configure "FILE"` on BIRD's control socket. 0003 reconfigured, 0004 in progress;
 * 8002 rejected with file:line:col. Reconfiguring a big config stalls BIRD for a while,
 * hence the generous timeout. No socket means BIRD is not running: it will read the
 * (already checked) file when it starts.
 */
export async function reloadBird(bird: BirdControl, file: string, timeoutMs = 30_000): Promise<ReloadResult> {
  try {
    const reply = await bird.request(`configure "${file}"`, { timeoutMs })
    if (reply.code === 3) return 'reconfigured'
    if (reply.code === 4) return 'in-progress'
    throw new ConfigRejectedError('configure', `unexpected reply ${reply.code}: ${reply.lines.at(-1)?.text ?? ''}`)
  } catch (err) {
    if (err instanceof BirdUnavailableError && (err.reason === 'missing' || err.reason === 'refused')) return 'not-running'
    if (err instanceof BirdCommandError) {
      throw new ConfigRejectedError('configure', `${err.code} ${err.message}`, parseBirdLocation(err.message))
    }
    throw err
  }
}
