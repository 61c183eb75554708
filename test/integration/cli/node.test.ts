import { mkdir, writeFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { cliEnv } from './env.js'

// "calicoctl node": node show and the node-specific BGP peer commands, on nodes applied
// with v1 and v3 manifests.

// A private build of the CLI plus dozens of node processes: minutes on a loaded machine.
t.setTimeout(900_000)
const { cli, stored, prefix } = await cliEnv(t)

const NODES_V1 = `apiVersion: v1
kind: node
metadata:
  name: calico-01
spec:
  bgp:
    ipv4Address: 172.17.8.101/24
---
apiVersion: v1
kind: node
metadata:
  name: calico-02
spec:
  bgp:
    asNumber: 63333
    ipv4Address: 172.25.20.5/24
`

t.test('node apply (v1 manifests) with and without an AS number', async (t) => {
  const r = await cli(['apply', '-f', '-'], { input: NODES_V1 })
  t.same([r.code, r.stdout, r.stderr], [0, "Successfully applied 2 'Node' resource(s)\n", ''])
  t.match(await stored('nodes', 'calico-02'), { kind: 'Node', spec: { bgp: { asNumber: 63333, ipv4Address: '172.25.20.5/24' } } })
  t.same(((await stored('nodes', 'calico-01')) as { spec: unknown }).spec, { bgp: { ipv4Address: '172.17.8.101/24' } }, 'no AS: inherits')
  t.equal((await cli(['get', 'nodes'])).stdout, 'NAME        \ncalico-01   \ncalico-02   \n\n')
  t.equal(
    (await cli(['get', 'nodes', '-o', 'wide'])).stdout,
    'NAME        ASN       IPV4              IPV6   \n' +
      'calico-01   (64512)   172.17.8.101/24          \n' +
      'calico-02   63333     172.25.20.5/24           \n\n',
  )
})

t.test('node show: the document\'s table (inherited AS marked, node peers as "IP as AS")', async (t) => {
  // Reproduce the document's cluster: a default AS of 64511 and one peer on calico-02.
  t.equal((await cli(['config', 'set', 'asNumber', '64511'])).code, 0)
  const add = await cli(['node', 'bgp', 'peer', 'add', '172.25.10.10', 'as', '63333', '--name=calico-02'])
  t.same([add.code, add.stdout, add.stderr], [0, '', ''])
  const show = await cli(['node', 'show'])
  t.equal(show.code, 0, show.stderr)
  // The document's example, except that its Hostname column is one space wider than its
  // longest content (the example was edited by hand); PrettyTable sizes to the content.
  t.equal(
    show.stdout,
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
  t.equal((await cli(['config', 'unset', 'asNumber'])).code, 0)
  t.match((await cli(['node', 'show'])).stdout, /\| calico-01 \| 172\.17\.8\.101 \|           \| 64512 \(inherited\) \|/, 'inherits 64512 when unset')
})

t.test('node bgp peer add / show / remove (the document examples), several peers per cell', async (t) => {
  const env = { NODENAME: 'calico-02' }
  t.equal((await cli(['node', 'bgp', 'peer', 'add', '172.25.10.9', 'as', '63334'], { env })).code, 0)
  t.equal((await cli(['node', 'bgp', 'peer', 'add', 'fd99::1', 'as', '65000'], { env })).code, 0)
  t.match(await stored('bgppeers', 'bgppeer-node-calico-02-fd99--1'), { spec: { node: 'calico-02', peerIP: 'fd99::1', asNumber: 65000 } })

  t.equal(
    (await cli(['node', 'bgp', 'peer', 'show', '--ipv4'], { env })).stdout,
    [
      '+-----------------------------+--------+',
      '| Node specific IPv4 BGP Peer | AS Num |',
      '+-----------------------------+--------+',
      '| 172.25.10.9                 | 63334  |',
      '| 172.25.10.10                | 63333  |',
      '+-----------------------------+--------+',
      '',
    ].join('\n'),
  )
  t.equal(
    (await cli(['node', 'bgp', 'peer', 'show', '--ipv6'], { env })).stdout,
    ['+-----------------------------+--------+', '| Node specific IPv6 BGP Peer | AS Num |', '+-----------------------------+--------+', '| fd99::1                     | 65000  |', '+-----------------------------+--------+', ''].join('\n'),
  )
  t.equal(
    (await cli(['node', 'bgp', 'peer', 'show', '--name=calico-01'])).stdout,
    'No IPv4 BGP Peers defined for this node.\n\nNo IPv6 BGP Peers defined for this node.\n\n',
  )

  t.equal(
    (await cli(['node', 'show'])).stdout,
    [
      '+-----------+--------------+-----------+-------------------+-----------------------+------------------+',
      '|  Hostname |  Bird IPv4   | Bird IPv6 |       AS Num      |      BGP Peers v4     |   BGP Peers v6   |',
      '+-----------+--------------+-----------+-------------------+-----------------------+------------------+',
      '| calico-01 | 172.17.8.101 |           | 64512 (inherited) |                       |                  |',
      '| calico-02 | 172.25.20.5  |           |       63333       |  172.25.10.9 as 63334 | fd99::1 as 65000 |',
      '|           |              |           |                   | 172.25.10.10 as 63333 |                  |',
      '+-----------+--------------+-----------+-------------------+-----------------------+------------------+',
      '',
    ].join('\n'),
  )

  // Adding an existing peer again updates its AS number instead of adding a second one.
  t.equal((await cli(['node', 'bgp', 'peer', 'add', '172.25.10.9', 'as', '63335'], { env })).code, 0)
  t.match(await stored('bgppeers', 'bgppeer-node-calico-02-172-25-10-9'), { spec: { asNumber: 63335 } })

  const removed = await cli(['node', 'bgp', 'peer', 'remove', '172.25.10.9'], { env })
  t.same([removed.code, removed.stdout, removed.stderr], [0, 'BGP peer removed from node configuration\n', ''])
  t.equal(await stored('bgppeers', 'bgppeer-node-calico-02-172-25-10-9'), undefined)

  const notFound = await cli(['node', 'bgp', 'peer', 'remove', '172.25.10.9'], { env })
  t.same([notFound.code, notFound.stdout, notFound.stderr], [1, '', "Failed to execute command: Peer not found: 172.25.10.9 is not a configured peer for node 'calico-02'\n"])

  const both = await cli(['node', 'bgp', 'peer', 'show'], { env })
  t.equal(
    both.stdout,
    [
      '+-----------------------------+--------+',
      '| Node specific IPv4 BGP Peer | AS Num |',
      '+-----------------------------+--------+',
      '| 172.25.10.10                | 63333  |',
      '+-----------------------------+--------+',
      '+-----------------------------+--------+',
      '| Node specific IPv6 BGP Peer | AS Num |',
      '+-----------------------------+--------+',
      '| fd99::1                     | 65000  |',
      '+-----------------------------+--------+',
      '',
    ].join('\n'),
  )
})

t.test('node bgp peer never touches global peers or other nodes\' peers', async (t) => {
  const global = 'apiVersion: v1\nkind: bgpPeer\nmetadata: {peerIP: 10.99.5.5, scope: global}\nspec: {asNumber: 65055}\n'
  t.equal((await cli(['create', '-f', '-'], { input: global })).code, 0)
  const r = await cli(['node', 'bgp', 'peer', 'remove', '10.99.5.5', '--name=calico-02'])
  t.equal(r.code, 1)
  t.equal(r.stderr, "Failed to execute command: Peer not found: 10.99.5.5 is not a configured peer for node 'calico-02'\n")
  t.ok(await stored('bgppeers', 'bgppeer-global-10-99-5-5'))
  t.match((await cli(['node', 'bgp', 'peer', 'show', '--ipv4', '--name=calico-01'])).stdout, /^No IPv4 BGP Peers defined for this node\.\n\n$/)
})

t.test('this node: --name, then NODENAME, then the nodename file, then the host name', async (t) => {
  t.equal((await cli(['node', 'bgp', 'peer', 'add', '10.99.6.1', 'as', '65061'])).code, 0)
  t.match(await stored('bgppeers', `bgppeer-node-${hostname().toLowerCase()}-10-99-6-1`), { spec: { node: hostname().toLowerCase() } }, 'host name, lower-cased')

  const dir = join(prefix, 'var/lib/calico')
  await mkdir(dir, { recursive: true })
  await writeFile(join(dir, 'nodename'), 'from-file\n')
  t.equal((await cli(['node', 'bgp', 'peer', 'add', '10.99.6.2', 'as', '65062'])).code, 0)
  t.match(await stored('bgppeers', 'bgppeer-node-from-file-10-99-6-2'), { spec: { node: 'from-file' } }, 'the nodename file under --prefix')

  t.equal((await cli(['node', 'bgp', 'peer', 'add', '10.99.6.3', 'as', '65063'], { env: { NODENAME: 'from-env' } })).code, 0)
  t.ok(await stored('bgppeers', 'bgppeer-node-from-env-10-99-6-3'), 'NODENAME beats the file')

  t.equal((await cli(['node', 'bgp', 'peer', 'add', '10.99.6.4', 'as', '65064', '--name', 'from-flag'], { env: { NODENAME: 'from-env' } })).code, 0)
  t.ok(await stored('bgppeers', 'bgppeer-node-from-flag-10-99-6-4'), '--name beats NODENAME')
})

t.test('bad input to node bgp peer: one line, exit 1, nothing written', async (t) => {
  const cases: [string[], string][] = [
    [['node', 'bgp', 'peer', 'add', '10.0.0.256', 'as', '65000', '--name=n1'], 'Failed to execute command: Invalid IP address specified: octet 256 of "10.0.0.256" is out of range\n'],
    [['node', 'bgp', 'peer', 'add', 'gateway', 'as', '65000', '--name=n1'], 'Failed to execute command: Invalid IP address specified: "gateway" is not a valid IPv4 address\n'],
    [['node', 'bgp', 'peer', 'add', '10.0.0.1', 'as', '4294967296', '--name=n1'], 'Failed to execute command: Invalid AS Number specified: AS number must be between 1 and 4294967295, got 4294967296\n'],
    [['node', 'bgp', 'peer', 'add', '10.0.0.1', 'as', '0', '--name=n1'], 'Failed to execute command: Invalid AS Number specified: AS number must be between 1 and 4294967295, got 0\n'],
    [['node', 'bgp', 'peer', 'add', '10.0.0.1', 'with', '65000', '--name=n1'], "Failed to execute command: Invalid syntax 'with': expected 'add <PEER_IP> as <AS_NUM>'\n"],
    [['node', 'bgp', 'peer', 'remove', '10.0.0', '--name=n1'], 'Failed to execute command: Invalid IP address specified: "10.0.0" is not a valid IPv4 address\n'],
    [['node', 'bgp', 'peer', 'show', '--ipv4', '--ipv6', '--name=n1'], 'Failed to execute command: --ipv4 and --ipv6 cannot be used together\n'],
  ]
  for (const [args, stderr] of cases) {
    const r = await cli(args)
    t.same([r.code, r.stdout, r.stderr], [1, '', stderr], args.join(' '))
  }
  t.equal((await cli(['get', 'bgpPeer', '--node=n1'])).stdout, 'SCOPE   PEERIP   NODE   ASN   \n\n')
})
