import type { Command } from 'commander'
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

export interface AutodetectFlags {
  ipv6?: boolean
  method?: string
  explain?: boolean
  output: 'text' | 'json'
}

export async function nodeAutodetect(flags: AutodetectFlags): Promise<void> {
  const family: AddressFamily = flags.ipv6 ? 6 : 4
  const method = parseAutodetectMethod(flags.method ?? methodFromEnv(family) ?? 'first-found')
  // Autodetection logs only at debug level: the logger is loaded when asked for.
  const level = process.env.FALCONER_LOG_LEVEL
  const log = level !== undefined ? (await import('../log.js')).createLogger(parseLogLevel(level)) : undefined
  try {
    const result = await autodetectAddress(method, family, log !== undefined ? { log } : {})
    process.stdout.write(render(flags, method, family, result))
  } catch (err) {
    // The trace is the point of --explain, most of all when nothing was found.
    if (err instanceof NoAddressFoundError && flags.explain && flags.output === 'text') {
      process.stderr.write(formatTrace(err.trace).map((l) => `${l}\n`).join(''))
    }
    throw err
  }
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
