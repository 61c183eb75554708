import t from 'tap'
import { boxTable, justify } from '../../../src/cli/print/table.js'
import { columnsTable } from '../../../src/cli/print/columns.js'

t.test('boxTable reproduces the calicoctl node show example (centred, PrettyTable)', async (t) => {
  const text = boxTable(
    ['Hostname', 'Bird IPv4', 'Bird IPv6', 'AS Num', 'BGP Peers v4', 'BGP Peers v6'],
    [
      ['calico-01', '172.17.8.101', '', '64511 (inherited)', '', ''],
      ['calico-02', '172.25.20.5', '', '63333', '172.25.10.10 as 63333', ''],
    ],
  )
  // The document's table, except its Hostname column, which is one wider than any content
  // in it (the example was edited by hand).
  t.equal(
    text,
    [
      '+-----------+--------------+-----------+-------------------+-----------------------+--------------+',
      '|  Hostname |  Bird IPv4   | Bird IPv6 |       AS Num      |      BGP Peers v4     | BGP Peers v6 |',
      '+-----------+--------------+-----------+-------------------+-----------------------+--------------+',
      '| calico-01 | 172.17.8.101 |           | 64511 (inherited) |                       |              |',
      '| calico-02 | 172.25.20.5  |           |       63333       | 172.25.10.10 as 63333 |              |',
      '+-----------+--------------+-----------+-------------------+-----------------------+--------------+',
      '',
    ].join('\n'),
  )
})

t.test('boxTable left-aligned: the node bgp peer show example', async (t) => {
  t.equal(
    boxTable(['Node specific IPv4 BGP Peer', 'AS Num'], [['172.17.8.101', '65511']], { align: 'left' }),
    [
      '+-----------------------------+--------+',
      '| Node specific IPv4 BGP Peer | AS Num |',
      '+-----------------------------+--------+',
      '| 172.17.8.101                | 65511  |',
      '+-----------------------------+--------+',
      '',
    ].join('\n'),
  )
})

t.test('boxTable multi-line cells grow the row, each line aligned on its own, top-aligned', async (t) => {
  t.equal(
    boxTable(['Host', 'Peers'], [['n1', '10.0.0.1 as 65001\n10.0.0.22 as 65002'], ['n2', '']], { align: ['left', 'center'] }),
    [
      '+------+--------------------+',
      '| Host |       Peers        |',
      '+------+--------------------+',
      '| n1   | 10.0.0.1 as 65001  |',
      '|      | 10.0.0.22 as 65002 |',
      '| n2   |                    |',
      '+------+--------------------+',
      '',
    ].join('\n'),
  )
})

t.test('boxTable without rows prints the heading block only', async (t) => {
  t.equal(boxTable(['A', 'Bee'], []), ['+---+-----+', '| A | Bee |', '+---+-----+', ''].join('\n'))
})

t.test('boxTable rejects ragged rows', async (t) => {
  t.throws(() => boxTable(['a', 'b'], [['1']]), RangeError)
})

t.test('justify centres like PrettyTable: odd text gets the extra space right, even text left', async (t) => {
  t.equal(justify('abc', 6, 'center'), ' abc  ')
  t.equal(justify('ab', 5, 'center'), '  ab ')
  t.equal(justify('ab', 6, 'center'), '  ab  ')
  t.equal(justify('ab', 4, 'right'), '  ab')
  t.equal(justify('toolong', 3, 'left'), 'toolong')
})

t.test('columnsTable reproduces calicoctl get bgpPeer --scope=global (tabwriter 5,1,3)', async (t) => {
  t.equal(
    columnsTable(['SCOPE', 'PEERIP', 'NODE', 'ASN'], [['global', '192.20.30.40', '', '64567']]),
    'SCOPE    PEERIP         NODE   ASN     \nglobal   192.20.30.40          64567   \n\n',
  )
  t.equal(
    columnsTable(['SCOPE', 'PEERIP', 'NODE', 'ASN'], [['node', 'aa:bb::ff', 'node1', '64514']]),
    'SCOPE   PEERIP      NODE    ASN     \nnode    aa:bb::ff   node1   64514   \n\n',
  )
})

t.test('columnsTable: minimum column width 5, headings alone when empty', async (t) => {
  t.equal(columnsTable(['A', 'NAME'], [['x', 'y']]), 'A    NAME   \nx    y      \n\n')
  t.equal(columnsTable(['NAME'], []), 'NAME   \n\n')
})
