/**
 * The namespace the autodetection tests (and the unit-test fixture) are built from: every
 * kind of interface autodetection must pass over, in a fixed kernel order, then the two
 * that should win. Peers of the veth links live in a second namespace so the first one
 * lists only what is described here. Fixed MACs keep link-local addresses stable.
 *
 *   lo        127.0.0.1/8 ::1/128                 loopback, default exclude ^lo
 *   docker0   bridge 10.99.17.1/24 fd99:17::1/64  default exclude; UP (veth9a is its port)
 *   br-xyz    bridge 10.99.18.1/24 fd99:18::1/64  default exclude; no ports: UP flag, operstate DOWN
 *   cali123   veth   10.99.19.1/24 fd99:19::1/64  default exclude
 *   veth9a    veth   10.99.20.1/24 fd99:20::1/64  default exclude; port of docker0
 *   dummy0    dummy  10.99.21.1/32 fd99:21::1/128 default exclude; operstate UNKNOWN while up
 *   eth9      veth, down  10.99.9.1/24 fd99:9::1/64
 *   ens3      veth   169.254.7.7/16 (link-local), 10.99.4.2/24 (deprecated),
 *                   fd99:4::1/64 (tentative), fd99:4::2/64 (deprecated), fd99:4::3/64 (dadfailed)
 *   eth0      veth   10.99.1.1/24 fd99:1::1/64   ← default routes
 *   eth1      veth   10.99.2.1/24 10.99.3.1/24 fd99:2::1/64 fd99:3::1/64
 *                                                ← routes to 10.99.200.0/24 and fd99:2:ff::/64
 */
import {
  addAddress,
  addBridge,
  addDummy,
  addRoute,
  addVeth,
  createNetns,
  ipIn,
  linkDown,
  linkUp,
  pollUntil,
  setMaster,
  sysctl,
  waitForOperstate,
  type Netns,
  type TeardownHost,
} from '../../helpers/netns.js'
import { parseIpAddrJson, type Iface } from '../../../src/node/interfaces.js'

export const NETNS_PREFIX = 'ad'

export interface AutodetectTopology {
  /** Where autodetection runs. */
  readonly ns: Netns
  /** Holds the far ends of the veth links. */
  readonly peer: Netns
  readonly dummyKind: 'dummy' | 'ifb'
}

const mac = (n: number) => `02:99:00:00:00:${n.toString(16).padStart(2, '0')}`

export async function buildAutodetectTopology(t: TeardownHost): Promise<AutodetectTopology> {
  const ns = await createNetns(t, NETNS_PREFIX)
  const peer = await createNetns(t, NETNS_PREFIX)

  const veth = async (name: string, n: number) => {
    await addVeth(ns, name, `p-${name}`, { peerNs: peer, mac: mac(n), peerMac: mac(0x80 + n) })
    await linkUp(peer, `p-${name}`)
  }
  const addrs = async (dev: string, cidrs: readonly string[]) => {
    for (const c of cidrs) await addAddress(ns, dev, c, { nodad: c.includes(':') })
  }

  await addBridge(ns, 'docker0', { mac: mac(2) })
  await addBridge(ns, 'br-xyz', { mac: mac(3) })
  await veth('cali123', 4)
  await veth('veth9a', 5)
  await setMaster(ns, 'veth9a', 'docker0')
  const dummyKind = await addDummy(ns, 'dummy0', { mac: mac(6) })
  await veth('eth9', 7)
  await veth('ens3', 8)
  await veth('eth0', 9)
  await veth('eth1', 10)

  for (const dev of ['docker0', 'br-xyz', 'cali123', 'veth9a', 'dummy0', 'eth0', 'eth1']) await linkUp(ns, dev)
  await addrs('docker0', ['10.99.17.1/24', 'fd99:17::1/64'])
  await addrs('br-xyz', ['10.99.18.1/24', 'fd99:18::1/64'])
  await addrs('cali123', ['10.99.19.1/24', 'fd99:19::1/64'])
  await addrs('veth9a', ['10.99.20.1/24', 'fd99:20::1/64'])
  await addrs('dummy0', ['10.99.21.1/32', 'fd99:21::1/128'])
  await addrs('eth9', ['10.99.9.1/24', 'fd99:9::1/64'])
  await linkDown(ns, 'eth9')
  await addrs('eth0', ['10.99.1.1/24', 'fd99:1::1/64'])
  // IPv6 lists newest first: add fd99:3::1 first so fd99:2::1 leads.
  await addrs('eth1', ['10.99.2.1/24', '10.99.3.1/24', 'fd99:3::1/64', 'fd99:2::1/64'])

  // ens3: every address autodetection must refuse. DAD with 1000 probes (one a second)
  // keeps an address tentative for the whole test; the peer already owning fd99:4::3
  // answers ens3's DAD probe, which marks it dadfailed.
  await addAddress(peer, 'p-ens3', 'fd99:4::3/64', { nodad: true })
  await sysctl(ns, 'net.ipv6.conf.ens3.dad_transmits', 1000)
  await linkUp(ns, 'ens3')
  await waitForOperstate(ns, 'ens3', ['UP'])
  await addAddress(ns, 'ens3', '169.254.7.7/16')
  await addAddress(ns, 'ens3', '10.99.4.2/24', { preferredLft: 0 })
  await addAddress(ns, 'ens3', 'fd99:4::1/64')
  await addAddress(ns, 'ens3', 'fd99:4::2/64', { nodad: true, preferredLft: 0 })
  await addAddress(ns, 'ens3', 'fd99:4::3/64')

  await addRoute(ns, 'default', { via: '10.99.1.254', dev: 'eth0' })
  await addRoute(ns, '10.99.200.0/24', { via: '10.99.2.254', dev: 'eth1' })
  await addRoute(ns, '::/0', { via: 'fd99:1::fe', dev: 'eth0' })
  await addRoute(ns, 'fd99:2:ff::/64', { via: 'fd99:2::fe', dev: 'eth1' })

  await waitUntilSettled(ns)
  return { ns, peer, dummyKind }
}

/**
 * Waits for the kernel to finish what it does on its own after setup: veth ends and
 * docker0 come up, link-local DAD completes (one probe, about a second), ens3's duplicate
 * is detected. (An empty bridge with a MAC set by hand, like br-xyz, stays NO-CARRIER.)
 */
export async function waitUntilSettled(ns: Netns): Promise<Iface[]> {
  return pollUntil('the autodetect namespace to settle', async () => {
    const ifaces = parseIpAddrJson(await ipIn(ns, ['-j', 'addr', 'show']))
    const byName = new Map(ifaces.map((i) => [i.name, i]))
    const vethsUp = ['docker0', 'cali123', 'veth9a', 'ens3', 'eth0', 'eth1'].every((n) => byName.get(n)?.operstate === 'UP')
    const linkLocalsDone = ifaces
      .filter((i) => i.name !== 'ens3')
      .every((i) => i.addresses.every((a) => !(a.address.startsWith('fe80:') && a.tentative)))
    const dupFound = byName.get('ens3')?.addresses.some((a) => a.address === 'fd99:4::3' && a.dadfailed) ?? false
    return vethsUp && linkLocalsDone && dupFound ? ifaces : undefined
  }, { timeoutMs: 60_000 })
}
