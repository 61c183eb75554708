import { readFileSync } from 'node:fs'
import { parseIpAddrJson, type Iface } from '../../../src/node/interfaces.js'

/**
 * `ip -j addr show` taken from the namespaces built by
 * test/integration/autodetect/topology.ts (see its header for what each interface is);
 * test/integration/autodetect/fixtures.test.ts checks they still match the kernel.
 */
export function fixtureText(name: 'ip-addr-lab.json' | 'ip-addr-lo-only.json'): string {
  return readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')
}

export const lab: Iface[] = parseIpAddrJson(fixtureText('ip-addr-lab.json'))
export const loOnly: Iface[] = parseIpAddrJson(fixtureText('ip-addr-lo-only.json'))
