import type { BGPPeer, Node } from '../../api/types.js'
import { compareAddresses, comparePeers, compareText, legacyScope, peerAddress } from '../peers.js'
import { columnsTable } from './columns.js'
import { boxTable } from './table.js'

/**
 * The peer views of the calicoctl documents. Pure: resources in, text out.
 */

/**
 * `calicoctl get bgpPeer --scope=global` (calicoctl v1):
 *
 *   SCOPE    PEERIP         NODE   ASN
 *   global   192.20.30.40          64567
 */
export function legacyPeerTable(peers: readonly BGPPeer[]): string {
  const rows = [...peers]
    .filter((p) => legacyScope(p) !== undefined)
    .sort(comparePeers)
    .map((p) => [legacyScope(p) ?? '', p.spec.peerIP ?? '', p.spec.node ?? '', p.spec.asNumber === undefined ? '' : String(p.spec.asNumber)])
  return columnsTable(['SCOPE', 'PEERIP', 'NODE', 'ASN'], rows)
}

/**
 * `calicoctl node bgp peer show` for one family: a left-aligned box table, or the
 * document's sentence (and an empty line) when the node has no peers of that family.
 */
export function nodePeerTable(peers: readonly BGPPeer[], node: string, family: 4 | 6): string {
  const rows = nodeSpecificPeers(peers, node, family).map((p) => [p.spec.peerIP ?? '', p.spec.asNumber === undefined ? '' : String(p.spec.asNumber)])
  if (rows.length === 0) return `No IPv${family} BGP Peers defined for this node.\n\n`
  return boxTable([`Node specific IPv${family} BGP Peer`, 'AS Num'], rows, { align: 'left' })
}

/** The peers configured for exactly this node (not global, not selector-based), by address. */
export function nodeSpecificPeers(peers: readonly BGPPeer[], node: string, family?: 4 | 6): BGPPeer[] {
  return peers
    .filter((p) => legacyScope(p) === 'node' && p.spec.node === node)
    .filter((p) => family === undefined || peerAddress(p)?.family === family)
    .sort(compareAddresses)
}

/**
 * `calicoctl node show`: every node with its BIRD addresses, AS number (or the inherited
 * one, marked) and its node-specific peers as `IP as AS`, one per line inside the cell.
 * Centred, as PrettyTable drew it.
 */
export function nodeShowTable(nodes: readonly Node[], peers: readonly BGPPeer[], defaultAsNumber: number): string {
  const rows = [...nodes]
    .sort((a, b) => compareText(a.metadata.name, b.metadata.name))
    .map((n) => {
      const bgp = n.spec.bgp
      const as = bgp?.asNumber !== undefined ? String(bgp.asNumber) : `${defaultAsNumber} (inherited)`
      const peerCell = (family: 4 | 6) =>
        nodeSpecificPeers(peers, n.metadata.name, family)
          .map((p) => `${p.spec.peerIP ?? ''} as ${p.spec.asNumber ?? ''}`)
          .join('\n')
      return [n.metadata.name, hostAddress(bgp?.ipv4Address), hostAddress(bgp?.ipv6Address), as, peerCell(4), peerCell(6)]
    })
  return boxTable(['Hostname', 'Bird IPv4', 'Bird IPv6', 'AS Num', 'BGP Peers v4', 'BGP Peers v6'], rows)
}

/** Nodes store `address/prefixlen`; BIRD (and the document's column) use the address. */
function hostAddress(cidr: string | undefined): string {
  if (cidr === undefined) return ''
  const slash = cidr.indexOf('/')
  return slash < 0 ? cidr : cidr.slice(0, slash)
}
