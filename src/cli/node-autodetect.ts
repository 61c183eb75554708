import { Option, type Command } from 'commander'
import { createLogger } from '../log.js'
import { parseLogLevel } from '../settings/settings.js'
import {
  autodetectAddress,
  formatAutodetectMethod,
  formatTrace,
  NoAddressFoundError,
  parseAutodetectMethod,
  type AutodetectMethod,
  type AutodetectResult,
} from '../node/autodetect/index.js'
import type { AddressFamily } from '../node/interfaces.js'

interface AutodetectFlags {
  ipv6?: boolean
  method?: string
  explain?: boolean
  output: 'text' | 'json'
}

/**
 * `falconer node autodetect`: runs IP autodetection on this host exactly as startup would
 * and prints the address (`ip/prefixlen`); `--explain` adds one line per candidate with the
 * reason it was chosen or skipped. It changes nothing, so operators can try methods freely.
 */
export function registerNodeAutodetect(node: Command): Command {
  return node
    .command('autodetect')
    .description('show the address IP autodetection picks on this host (and with --explain, why)')
    .option('--ipv6', 'detect the IPv6 address (IP6_AUTODETECTION_METHOD) instead of IPv4')
    .option(
      '--method <method>',
      'first-found | can-reach=IP|NAME | interface=REGEX,… | skip-interface=REGEX,… | cidr=CIDR,… ' +
        '(default: $IP_AUTODETECTION_METHOD or $IP6_AUTODETECTION_METHOD, else first-found)',
    )
    .option('--explain', 'print every candidate interface and address with the reason it was chosen or skipped')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (flags: AutodetectFlags) => {
      const family: AddressFamily = flags.ipv6 ? 6 : 4
      const method = parseAutodetectMethod(flags.method ?? methodFromEnv(family) ?? 'first-found')
      const log = createLogger(parseLogLevel(process.env.FALCONER_LOG_LEVEL ?? 'warn'))
      try {
        const result = await autodetectAddress(method, family, { log })
        process.stdout.write(render(flags, method, family, result))
      } catch (err) {
        // The trace is the point of --explain, most of all when nothing was found.
        if (err instanceof NoAddressFoundError && flags.explain && flags.output === 'text') {
          process.stderr.write(formatTrace(err.trace).map((l) => `${l}\n`).join(''))
        }
        throw err
      }
    })
}

function methodFromEnv(family: AddressFamily): string | undefined {
  const v = family === 4 ? process.env.IP_AUTODETECTION_METHOD : process.env.IP6_AUTODETECTION_METHOD
  return v === undefined || v.trim() === '' ? undefined : v
}

function render(
  flags: AutodetectFlags,
  method: AutodetectMethod,
  family: AddressFamily,
  result: AutodetectResult,
): string {
  if (flags.output === 'json') {
    const doc = { method: formatAutodetectMethod(method), family, address: result.address, interface: result.interface, trace: result.trace }
    return `${JSON.stringify(doc, null, 2)}\n`
  }
  const lines = [result.address]
  if (flags.explain) lines.push(...formatTrace(result.trace))
  return lines.map((l) => `${l}\n`).join('')
}
