/**
 * The lab's addressing plan, in one place. Everything lives in 10.99.0.0/16 and fd99::/16
 * inside namespaces the lab creates; nothing touches the host's own network.
 *
 *   infra namespace: bridge br0 10.99.0.1/24 fd99::1/64, etcd on 10.99.0.1:2379
 *   tor namespace:   eth0 10.99.0.2/24 fd99::2/64, gobgpd AS 65000 (gRPC on its loopback)
 *   node-i:          eth0 10.99.0.(10+i)/24 fd99::(10+i)/64, a falconer agent and its BIRD
 *
 * Two other ways to reach etcd, for fault scenarios:
 *   separate link:   a second bridge br1 10.99.1.1/24 in infra, each node's eth1 10.99.1.(10+i)/24
 *                    on it; the agents use etcd at 10.99.1.1, so that link can be cut while BGP
 *                    (on eth0) carries on
 *   cluster:         three etcd members in infra at 10.99.0.5, .6 and .7 (client 2379, peer 2380)
 */

export const LAN_PREFIX_V4 = 24
export const LAN_PREFIX_V6 = 64

export const INFRA_V4 = '10.99.0.1'
export const INFRA_V6 = 'fd99::1'
export const ETCD_PORT = 2379
export const ETCD_ENDPOINT = `http://${INFRA_V4}:${ETCD_PORT}`

/** etcd over its own link (`etcd: 'separate-link'`). */
export const ETCD_LINK_V4 = '10.99.1.1'
export const ETCD_LINK_ENDPOINT = `http://${ETCD_LINK_V4}:${ETCD_PORT}`
/** The members of a three-member etcd cluster (`etcd: 'cluster'`), on the bridge. */
export const ETCD_MEMBERS_V4 = ['10.99.0.5', '10.99.0.6', '10.99.0.7'] as const
export const ETCD_PEER_PORT = 2380

export const TOR_V4 = '10.99.0.2'
export const TOR_V6 = 'fd99::2'
export const TOR_AS = 65000
/** gobgpd's gRPC API, on the ToR namespace's own loopback. */
export const TOR_API = { host: '127.0.0.1', port: 50051 } as const

/** Calico's default AS, which every node uses unless a test changes it. */
export const NODE_AS = 64512

/**
 * The pools the first node creates (CALICO_IPV4POOL_CIDR / CALICO_IPV6POOL_CIDR), inside
 * the lab ranges so that every route BIRD programs stays within them.
 */
export const POOL_V4 = '10.99.64.0/18'
export const POOL_V6 = 'fd99:64::/48'

/** At most this many nodes: addresses 10.99.0.11 … 10.99.0.(10+MAX_NODES). */
export const MAX_NODES = 20

export interface NodePlan {
  /** 1-based. */
  readonly index: number
  /** The Calico node name. */
  readonly name: string
  /** Namespace suffix (`fa-<lab>-node1`). */
  readonly nsSuffix: string
  /** The bridge port on the infra side. */
  readonly bridgePort: string
  readonly ipv4: string
  readonly ipv6: string
  /** With a separate etcd link: the node's eth1 address, and the infra side's port. */
  readonly etcdLinkV4: string
  readonly etcdLinkPort: string
}

export function nodePlan(index: number): NodePlan {
  if (!Number.isInteger(index) || index < 1 || index > MAX_NODES) {
    throw new RangeError(`lab node index ${index}: expected 1..${MAX_NODES}`)
  }
  return {
    index,
    name: `node-${index}`,
    nsSuffix: `node${index}`,
    bridgePort: `vnode${index}`,
    ipv4: `10.99.0.${10 + index}`,
    ipv6: `fd99::${10 + index}`,
    etcdLinkV4: `10.99.1.${10 + index}`,
    etcdLinkPort: `vetcd${index}`,
  }
}

/** `10.99.64.0-26` (an IPAM key segment) → `10.99.64.0/26`. */
export function cidrFromKeySegment(segment: string): string {
  const at = segment.lastIndexOf('-')
  if (at <= 0) throw new RangeError(`IPAM key segment "${segment}" is not <address>-<length>`)
  return `${segment.slice(0, at)}/${segment.slice(at + 1)}`
}

/** A CIDR in canonical text (IPv6 compressed, lower case), so etcd's and iproute2's spellings compare equal. */
export function canonicalCidr(cidr: string): string {
  const [addr = '', len] = cidr.split('/')
  const canonical = addr.includes(':') ? new URL(`http://[${addr}]/`).hostname.slice(1, -1) : addr
  return len === undefined ? canonical : `${canonical}/${len}`
}
