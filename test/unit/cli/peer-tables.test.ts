import t from 'tap'
import type { BGPPeer, Node } from '../../../src/api/types.js'
import { legacyPeerTable, nodePeerTable, nodeShowTable, nodeSpecificPeers } from '../../../src/cli/print/peer-tables.js'
import { parsePeerArgument, peerMatches } from '../../../src/cli/peers.js'

const peer = (name: string, spec: BGPPeer['spec']): BGPPeer => ({ apiVersion: 'projectcalico.org/v3', kind: 'BGPPeer', metadata: { name }, spec })
const node = (name: string, bgp?: NonNullable<Node['spec']['bgp']>): Node => ({
  apiVersion: 'projectcalico.org/v3',
  kind: 'Node',
  metadata: { name },
  spec: bgp ? { bgp } : {},
})

const PEERS = [
  peer('n2-b', { node: 'node2', peerIP: '10.0.0.10', asNumber: 65010 }),
  peer('g', { peerIP: '192.20.30.40', asNumber: 64567 }),
  peer('n2-a', { node: 'node2', peerIP: '10.0.0.9', asNumber: 65009 }),
  peer('n2-v6', { node: 'node2', peerIP: '[fd99::1]:1790', asNumber: 65000 }),
  peer('sel', { nodeSelector: "rack == 'a'", peerIP: '10.0.0.200', asNumber: 65200 }),
  peer('rr', { peerSelector: 'has(rr)' }),
]

t.test('legacy table: v1 scopes only (selector peers have none), global first, numeric order', async (t) => {
  t.equal(
    legacyPeerTable(PEERS),
    'SCOPE    PEERIP           NODE    ASN     \n' +
      'global   192.20.30.40             64567   \n' +
      'node     10.0.0.9         node2   65009   \n' +
      'node     10.0.0.10        node2   65010   \n' +
      'node     [fd99::1]:1790   node2   65000   \n\n',
  )
})

t.test('node-specific peers by family; none → the document\'s sentence', async (t) => {
  t.same(nodeSpecificPeers(PEERS, 'node2', 4).map((p) => p.metadata.name), ['n2-a', 'n2-b'])
  t.same(nodeSpecificPeers(PEERS, 'node2', 6).map((p) => p.metadata.name), ['n2-v6'])
  t.same(nodeSpecificPeers(PEERS, 'node1').length, 0)
  t.equal(nodePeerTable(PEERS, 'node1', 4), 'No IPv4 BGP Peers defined for this node.\n\n')
  t.equal(
    nodePeerTable(PEERS, 'node2', 6),
    '+-----------------------------+--------+\n| Node specific IPv6 BGP Peer | AS Num |\n+-----------------------------+--------+\n| [fd99::1]:1790              | 65000  |\n+-----------------------------+--------+\n',
  )
})

t.test('node show: inherited AS, BIRD addresses without prefix length, multi-line peer cells', async (t) => {
  const text = nodeShowTable(
    [node('node2', { asNumber: 65002, ipv4Address: '10.0.0.2/24', ipv6Address: 'fd99::2/64' }), node('node1', { ipv4Address: '10.0.0.1/24' }), node('bare')],
    PEERS,
    64600,
  )
  t.equal(
    text,
    [
      '+----------+-----------+-----------+-------------------+--------------------+-------------------------+',
      '| Hostname | Bird IPv4 | Bird IPv6 |       AS Num      |    BGP Peers v4    |       BGP Peers v6      |',
      '+----------+-----------+-----------+-------------------+--------------------+-------------------------+',
      '|   bare   |           |           | 64600 (inherited) |                    |                         |',
      '|  node1   |  10.0.0.1 |           | 64600 (inherited) |                    |                         |',
      '|  node2   |  10.0.0.2 |  fd99::2  |       65002       | 10.0.0.9 as 65009  | [fd99::1]:1790 as 65000 |',
      '|          |           |           |                   | 10.0.0.10 as 65010 |                         |',
      '+----------+-----------+-----------+-------------------+--------------------+-------------------------+',
      '',
    ].join('\n'),
  )
  t.equal(nodeShowTable([], PEERS, 64512).split('\n').length, 4, 'no nodes: the heading block only')
})

t.test('peer filters compare addresses, and ports only when given', async (t) => {
  const v6 = PEERS[3]!
  t.ok(peerMatches(v6, { scope: 'node', node: 'node2', peer: parsePeerArgument('FD99:0::1') }))
  t.ok(peerMatches(v6, { peer: parsePeerArgument('[fd99::1]:1790') }))
  t.notOk(peerMatches(v6, { peer: parsePeerArgument('[fd99::1]:179') }))
  t.notOk(peerMatches(v6, { scope: 'global' }))
  t.notOk(peerMatches(PEERS[4]!, {}), 'selector peers have no v1 scope')
  t.throws(() => parsePeerArgument('10.0.0'), /^Invalid IP address specified: "10\.0\.0" is not a valid IPv4 address$/)
})
