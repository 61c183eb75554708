import { BirdUnavailableError } from '../../bird/control/index.js'
import type { FamilyReader } from '../../status/family-reader.js'
import type { GobgpCli } from './gobgp-cli.js'

/**
 * PLACEHOLDER, replaced by the GoBGP status readers (gobgp's neighbor and RIB replies in
 * the shared status types). Until then every read says the daemon cannot be read, which
 * status, health and metrics already show as "not available" — never as a false "up".
 */
export function gobgpReaders(cli: GobgpCli): { v4: FamilyReader; v6: FamilyReader } {
  const unavailable = (command: string) => Promise.reject(new BirdUnavailableError(cli.socket, 'missing', command))
  const reader: FamilyReader = {
    status: () => unavailable('show status'),
    protocols: () => unavailable('show protocols all'),
    routes: () => unavailable('show route all'),
  }
  return { v4: reader, v6: reader }
}
