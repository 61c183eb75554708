import type { Logger } from '../../log.js'
import { listInterfaces, type AddressFamily, type Iface } from '../interfaces.js'
import type { Decision } from './decision.js'
import { DestinationUnresolvedError, NoAddressFoundError } from './errors.js'
import { formatAutodetectMethod, type AutodetectMethod } from './method.js'
import { checkMethodFamily, selectAddress } from './select.js'
import { kernelSourceAddress } from './source-address.js'

export interface AutodetectDeps {
  /** The host's interfaces in kernel order (default: `ip -j addr show`). */
  readonly listInterfaces?: () => Promise<Iface[]>
  /** The kernel's source address toward an IP or name; undefined when there is no route. */
  readonly sourceFor?: (destination: string, family: AddressFamily) => Promise<string | undefined>
  readonly log?: Logger
}

export interface AutodetectResult {
  /** `ip/prefixlen` of the chosen interface address. */
  readonly address: string
  readonly interface: string
  readonly trace: readonly Decision[]
}

/**
 * Finds this host's routing address of `family` the way `method` says. Throws
 * AutodetectMethodError when the method cannot apply to the family, NoAddressFoundError
 * (with the trace) when nothing qualifies. Every decision is logged at debug level.
 */
export async function autodetectAddress(
  method: AutodetectMethod,
  family: AddressFamily,
  deps: AutodetectDeps = {},
): Promise<AutodetectResult> {
  const text = formatAutodetectMethod(method)
  // No logger: nothing to log, and `node autodetect` need not load the logging library.
  const log = deps.log?.child({ autodetect: text, family })
  checkMethodFamily(method, family)

  let source: string | undefined
  if (method.kind === 'can-reach') {
    const d = method.destination
    const destination = d.kind === 'ip' ? d.address : d.name
    try {
      source = await (deps.sourceFor ?? kernelSourceAddress)(destination, family)
    } catch (err) {
      if (err instanceof DestinationUnresolvedError) throw new NoAddressFoundError(text, family, err.message, [])
      throw err
    }
    log?.debug({ destination, source: source ?? null }, 'kernel source address')
  }

  const ifaces = await (deps.listInterfaces ?? (() => listInterfaces()))()
  const selection = selectAddress(method, family, ifaces, source)
  for (const d of selection.trace) log?.debug(d, 'autodetect candidate')
  if (selection.chosen === undefined) throw new NoAddressFoundError(text, family, selection.reason, selection.trace)
  log?.debug(selection.chosen, 'autodetected address')
  return { ...selection.chosen, trace: selection.trace }
}
