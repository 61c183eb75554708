import { readFileSync } from 'node:fs'
import type { BirdControl } from '../../src/bird/control/index.js'
import type { Product } from '../lib/product.js'

/** What BIRD runs: the names of its BGP protocols, from `show protocols`. */
export async function bgpProtocols(ctl: BirdControl): Promise<Set<string>> {
  const reply = await ctl.request('show protocols', { timeoutMs: 30_000 })
  const names = new Set<string>()
  for (const line of reply.lines) {
    const [name, proto] = line.text.trim().split(/\s+/)
    if (proto === 'BGP' && name !== undefined) names.add(name)
  }
  return names
}

/** What a config file asks for: its `protocol bgp NAME` names. */
export function bgpProtocolsInFile(path: string): Set<string> {
  const text = readFileSync(path, 'utf8')
  return new Set([...text.matchAll(/^protocol bgp (\S+)/gm)].map((m) => m[1]!))
}

export function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  return a.size === b.size && [...a].every((x) => b.has(x))
}

/**
 * Whether BIRD knows protocol `name` now: `show protocols "NAME"` is one short line when it
 * does and 8003 "No protocols match" when it does not — cheap enough to poll tightly.
 */
export async function hasProtocol(p: Product, ctl: BirdControl, name: string): Promise<boolean> {
  try {
    await ctl.request(`show protocols "${name}"`, { timeoutMs: 30_000 })
    return true
  } catch (err) {
    if (err instanceof p.BirdCommandError) return false
    throw err
  }
}
