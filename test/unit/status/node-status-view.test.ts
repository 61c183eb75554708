import t from 'tap'
import { parseProtocolDetails } from '../../../src/bird/replies/protocol-details.js'
import { parseProtocols } from '../../../src/bird/replies/protocols.js'
import { parseBirdTimestamp } from '../../../src/bird/replies/timestamp.js'
import { nodeStatusJson, renderNodeStatus, type NodeStatusView } from '../../../src/status/node-status-view.js'
import { tablewriterTable } from '../../../src/status/peer-table.js'
import { parsePeerName, peerRows } from '../../../src/status/peers.js'
import { shortSince } from '../../../src/status/since.js'
import { birdFixture } from '../../helpers/fixtures.js'

const text = (name: string) => birdFixture(name).split('\n')
const NOW = new Date(2026, 10, 22, 12, 0, 0)

t.test('peer names: type, address, port', async (t) => {
  t.same(parsePeerName('Mesh_10_99_0_2', 4), { type: 'NodeMesh', address: '10.99.0.2', port: undefined })
  t.same(parsePeerName('Mesh_fd99__2', 6), { type: 'NodeMesh', address: 'fd99::2', port: undefined })
  t.same(parsePeerName('Global_10_99_0_9_port_1790', 4), { type: 'GlobalPeer', address: '10.99.0.9', port: 1790 })
  t.same(parsePeerName('Node_fd99_1__7_port_179', 6), { type: 'NodePeer', address: 'fd99:1::7', port: 179 })
  t.same(parsePeerName('Node_disabled', 4), { type: 'NodePeer', address: undefined, port: undefined })
  t.equal(parsePeerName('kernel1', 4), undefined)
  t.equal(parsePeerName('Mesh10_99_0_2', 4), undefined)
})

t.test('the document table, exactly', async (t) => {
  t.equal(
    tablewriterTable(
      ['PEER ADDRESS', 'PEER TYPE', 'STATE', 'SINCE', 'INFO'],
      [['172.17.8.102', 'node-to-node mesh', 'up', '23:30:04', 'Established']],
    ),
    [
      '+--------------+-------------------+-------+----------+-------------+',
      '| PEER ADDRESS |     PEER TYPE     | STATE |  SINCE   |    INFO     |',
      '+--------------+-------------------+-------+----------+-------------+',
      '| 172.17.8.102 | node-to-node mesh | up    | 23:30:04 | Established |',
      '+--------------+-------------------+-------+----------+-------------+',
      '',
    ].join('\n'),
  )
})

t.test('node status: v4 mixed sessions, bird6 not running', async (t) => {
  const view: NodeStatusView = {
    v4: { running: true, serverTime: undefined, peers: peerRows(parseProtocols(text('v4_show_protocols_mixed_t0.txt')), 4) },
    v6: { running: false, reason: 'Unable to connect to server control socket (/x/bird6.ctl): No such file or directory' },
  }
  t.equal(
    renderNodeStatus(view, NOW),
    [
      'Calico process is running.',
      '',
      'IPv4 BGP status',
      '+--------------+-------------------+-------+----------+---------------------------------------+',
      '| PEER ADDRESS |     PEER TYPE     | STATE |  SINCE   |                 INFO                  |',
      '+--------------+-------------------+-------+----------+---------------------------------------+',
      '| 10.99.0.2    | node-to-node mesh | up    | 11:40:24 | Established                           |',
      '| 10.99.0.77   | node specific     | start | 11:40:52 | Connect                               |',
      '| 10.99.5.5    | node specific     | start | 11:40:52 | Active Socket: Network is unreachable |',
      '+--------------+-------------------+-------+----------+---------------------------------------+',
      '',
      'IPv6 BGP status',
      'Note: bird6 is not running; IPv6 status unavailable.',
      '',
      '',
    ].join('\n'),
    'Node_disabled has no address in its name and no details: not a row',
  )
  t.same(nodeStatusJson(view), {
    running: true,
    ipv4: {
      running: true,
      daemon: 'bird',
      peers: [
        { peerAddress: '10.99.0.2', peerType: 'node-to-node mesh', type: 'NodeMesh', protocol: 'Mesh_10_99_0_2', state: 'up', since: '11:40:24', bgpState: 'Established', info: 'Established' },
        { peerAddress: '10.99.0.77', peerType: 'node specific', type: 'NodePeer', protocol: 'Node_10_99_0_77', state: 'start', since: '11:40:52', bgpState: 'Connect', info: 'Connect' },
        { peerAddress: '10.99.5.5', peerType: 'node specific', type: 'NodePeer', protocol: 'Node_10_99_5_5', state: 'start', since: '11:40:52', bgpState: 'Active', info: 'Active Socket: Network is unreachable' },
      ],
    },
    ipv6: { running: false, daemon: 'bird6', reason: 'Unable to connect to server control socket (/x/bird6.ctl): No such file or directory' },
  })
})

t.test('node status: details give the neighbor address of every BGP protocol, down ones too', async (t) => {
  const rows = peerRows(parseProtocolDetails(text('v4_show_protocols_all_mixed.txt')), 4)
  t.same(
    rows.map((r) => [r.peerIP, r.state, r.bgpState, r.info]),
    [
      ['10.99.0.2', 'up', 'Established', 'Established'],
      ['10.99.0.77', 'start', 'Active', 'Active Socket: No route to host'],
      ['10.99.5.5', 'start', 'Active', 'Active Socket: Network is unreachable'],
      ['10.99.0.88', 'down', '', ''],
    ],
  )
})

t.test('node status: no peers, and nothing running', async (t) => {
  const none = { running: true as const, serverTime: undefined, peers: [] }
  t.equal(
    renderNodeStatus({ v4: none, v6: none }, NOW),
    'Calico process is running.\n\nIPv4 BGP status\nNo IPv4 peers found.\n\nIPv6 BGP status\nNo IPv6 peers found.\n\n',
  )
  const down = { running: false as const, reason: 'missing' }
  t.equal(renderNodeStatus({ v4: down, v6: down }, NOW), 'Calico process is not running.\n')
  t.equal(nodeStatusJson({ v4: down, v6: down }).running, false)
})

t.test('SINCE: iso long times shortened like BIRD\'s default format, against BIRD\'s clock', async (t) => {
  const ts = parseBirdTimestamp
  const server = ts('2026-11-22 11:42:35')
  t.equal(shortSince(ts('2026-11-22 11:40:21'), server, NOW), '11:40:21')
  t.equal(shortSince(ts('2026-11-21 16:00:00'), server, NOW), '16:00:00', 'yesterday, under 20 hours ago')
  t.equal(shortSince(ts('2026-11-21 15:00:00'), server, NOW), '2026-11-21', '20 hours or more: the date')
  t.equal(shortSince(ts('11:40:21'), server, NOW), '11:40:21', 'short formats pass through')
  t.equal(shortSince(ts('2026-11-01'), server, NOW), '2026-11-01')
  t.equal(shortSince(ts('2026-11-22 11:59:00'), undefined, NOW), '11:59:00', 'no server time: our clock')
})

t.test('a session falconer holds down shows why in INFO (BIRD 1.6.8 `show protocols all` of a disabled protocol)', async (t) => {
  const reply = [
    'BIRD 1.6.8 ready.',
    'name     proto    table    state  since       info',
    'Global_10_99_0_250 BGP      master   down   21:21:52    ',
    '  Description:    withheld: BGP password not available',
    '  Preference:     100',
    '  Input filter:   ACCEPT',
    '  Output filter:  REJECT',
    '  BGP state:          Down',
    '    Neighbor address: 10.99.0.250',
    '    Neighbor AS:      65000',
  ]
  const rows = peerRows(parseProtocolDetails(reply), 4)
  t.match(rows, [{ peerIP: '10.99.0.250', type: 'GlobalPeer', state: 'down', bgpState: '', info: 'withheld: BGP password not available' }])
})
