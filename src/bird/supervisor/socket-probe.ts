import { BirdControl } from '../control/index.js'
import type { SocketProbe } from './observed-daemon.js'

/** A BIRD answers when `show status` gets a reply; a fresh connection each time, closed after. */
export function controlSocketProbe(timeoutMs = 5_000): SocketProbe {
  return async (socketPath) => {
    const control = new BirdControl({ socketPath, timeoutMs })
    try {
      await control.request('show status')
      return true
    } catch {
      return false
    } finally {
      await control.close()
    }
  }
}
