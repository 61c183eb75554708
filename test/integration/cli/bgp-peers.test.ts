import t from 'tap'
import { parse as parseYaml } from 'yaml'
import { cliEnv } from './env.js'

// "Configuring BGP Peers" (Calico v2.0): global and node-specific peers with v1 manifests,
// plus the same operations with v3 resources.

// A private build of the CLI plus dozens of node processes: minutes on a loaded machine.
t.setTimeout(900_000)
const { cli, stored } = await cliEnv(t)

const GLOBAL_PEER_V1 = `apiVersion: v1
kind: bgpPeer
metadata:
  peerIP: 192.20.30.40
  scope: global
spec:
  asNumber: 64567
`

const NODE_PEER_V1 = `apiVersion: v1
kind: bgpPeer
metadata:
  peerIP: aa:bb::ff
  scope: node
  node: node1
spec:
  asNumber: 64514
`

t.test('global peer: create -f - (v1), get --scope=global, delete --scope=global', async (t) => {
  const created = await cli(['create', '-f', '-'], { input: GLOBAL_PEER_V1 })
  t.same([created.code, created.stdout, created.stderr], [0, "Successfully created 1 'BGPPeer' resource(s)\n", ''])
  t.match(await stored('bgppeers', 'bgppeer-global-192-20-30-40'), {
    apiVersion: 'projectcalico.org/v3',
    kind: 'BGPPeer',
    spec: { peerIP: '192.20.30.40', asNumber: 64567 },
  })

  const got = await cli(['get', 'bgpPeer', '--scope=global'])
  t.equal(got.code, 0)
  // The document's table, with calicoctl's trailing padding and the empty line after it.
  t.equal(got.stdout, 'SCOPE    PEERIP         NODE   ASN     \nglobal   192.20.30.40          64567   \n\n')

  const deleted = await cli(['delete', 'bgpPeer', '192.20.30.40', '--scope=global'])
  t.same([deleted.code, deleted.stdout, deleted.stderr], [0, "Successfully deleted 1 'BGPPeer' resource(s)\n", ''])
  t.equal(await stored('bgppeers', 'bgppeer-global-192-20-30-40'), undefined)
  t.equal((await cli(['get', 'bgpPeer', '--scope=global'])).stdout, 'SCOPE   PEERIP   NODE   ASN   \n\n')

  const again = await cli(['delete', 'bgpPeer', '192.20.30.40', '--scope=global'])
  t.equal(again.code, 1)
  t.equal(again.stdout, '')
  t.equal(again.stderr, "Failed to delete 'BGPPeer' resource: [resource does not exist: BGPPeer(scope=global, peerIP=192.20.30.40)]\n")
})

t.test('node-specific peer: create (v1), get --node=node1, delete --scope=node --node=node1', async (t) => {
  const created = await cli(['create', '-f', '-'], { input: NODE_PEER_V1 })
  t.same([created.code, created.stdout], [0, "Successfully created 1 'BGPPeer' resource(s)\n"], created.stderr)
  t.match(await stored('bgppeers', 'bgppeer-node-node1-aa-bb--ff'), { spec: { node: 'node1', peerIP: 'aa:bb::ff', asNumber: 64514 } })

  t.equal((await cli(['get', 'bgpPeer', '--node=node1'])).stdout, 'SCOPE   PEERIP      NODE    ASN     \nnode    aa:bb::ff   node1   64514   \n\n')
  t.equal((await cli(['get', 'bgpPeer', '--scope=node', '--node=node1'])).stdout, 'SCOPE   PEERIP      NODE    ASN     \nnode    aa:bb::ff   node1   64514   \n\n')
  t.equal((await cli(['get', 'bgpPeer', '--node=node2'])).stdout, 'SCOPE   PEERIP   NODE   ASN   \n\n', 'another node has none')
  t.equal((await cli(['get', 'bgpPeer', '--scope=global'])).stdout, 'SCOPE   PEERIP   NODE   ASN   \n\n', 'not a global peer')

  const wrongNode = await cli(['delete', 'bgpPeer', 'aa:bb::ff', '--scope=node', '--node=node2'])
  t.equal(wrongNode.code, 1)
  t.equal(wrongNode.stderr, "Failed to delete 'BGPPeer' resource: [resource does not exist: BGPPeer(scope=node, node=node2, peerIP=aa:bb::ff)]\n")

  // The address is compared, not the text: the long form names the same peer.
  const deleted = await cli(['delete', 'bgpPeer', 'AA:BB:0:0:0:0:0:FF', '--scope=node', '--node=node1'])
  t.same([deleted.code, deleted.stdout, deleted.stderr], [0, "Successfully deleted 1 'BGPPeer' resource(s)\n", ''])
  t.equal(await stored('bgppeers', 'bgppeer-node-node1-aa-bb--ff'), undefined)
})

t.test('global and node peers listed together, global first', async (t) => {
  const both = `${GLOBAL_PEER_V1}---\n${NODE_PEER_V1}`
  t.equal((await cli(['apply', '-f', '-'], { input: both })).stdout, "Successfully applied 2 'BGPPeer' resource(s)\n")
  t.equal((await cli(['get', 'bgpPeer', '--scope=global'])).stdout, 'SCOPE    PEERIP         NODE   ASN     \nglobal   192.20.30.40          64567   \n\n')
  t.equal(
    (await cli(['get', 'bgppeers'])).stdout,
    'NAME                           PEERIP         NODE       ASN     \n' +
      'bgppeer-global-192-20-30-40    192.20.30.40   (global)   64567   \n' +
      'bgppeer-node-node1-aa-bb--ff   aa:bb::ff      node1      64514   \n\n',
  )
  const deleted = await cli(['delete', '-f', '-'], { input: both })
  t.same([deleted.code, deleted.stdout, deleted.stderr], [0, "Successfully deleted 2 'BGPPeer' resource(s)\n", ''], 'v1 manifests delete by address and scope')
  t.equal((await cli(['get', 'bgppeers'])).stdout, 'NAME   PEERIP   NODE   ASN   \n\n')
})

const V3_PEERS = `apiVersion: projectcalico.org/v3
kind: BGPPeer
metadata:
  name: peer1
spec:
  peerIP: 10.99.0.1
  asNumber: 64512
---
apiVersion: projectcalico.org/v3
kind: BGPPeer
metadata:
  name: peer2
spec:
  node: node1
  peerIP: "[fd99::1]:1790"
  asNumber: "1.10"
`

t.test('v3 peers: create, create again (each failure named), --skip-exists, apply, replace', async (t) => {
  const created = await cli(['create', '-f', '-'], { input: V3_PEERS })
  t.same([created.code, created.stdout, created.stderr], [0, "Successfully created 2 'BGPPeer' resource(s)\n", ''])
  t.match(await stored('bgppeers', 'peer2'), { spec: { node: 'node1', peerIP: '[fd99::1]:1790', asNumber: 65546 } }, 'asdot stored as a number')

  const again = await cli(['create', '-f', '-'], { input: V3_PEERS })
  t.equal(again.code, 1)
  t.equal(again.stdout, '')
  t.equal(
    again.stderr,
    "Failed to create 'BGPPeer' resource: [resource already exists: BGPPeer(peer1)]\n" +
      "Failed to create 'BGPPeer' resource: [resource already exists: BGPPeer(peer2)]\n",
  )

  const skip = await cli(['create', '-f', '-', '--skip-exists'], { input: V3_PEERS })
  t.same([skip.code, skip.stdout, skip.stderr], [0, "Successfully created 2 'BGPPeer' resource(s)\n", ''])

  const changed = V3_PEERS.replace('asNumber: 64512', 'asNumber: 65010')
  const applied = await cli(['apply', '-f', '-'], { input: changed })
  t.same([applied.code, applied.stdout], [0, "Successfully applied 2 'BGPPeer' resource(s)\n"], applied.stderr)
  t.match(await stored('bgppeers', 'peer1'), { spec: { asNumber: 65010 } })

  const replaced = await cli(['replace', '-f', '-'], { input: V3_PEERS })
  t.same([replaced.code, replaced.stdout], [0, "Successfully replaced 2 'BGPPeer' resource(s)\n"], replaced.stderr)
  t.match(await stored('bgppeers', 'peer1'), { spec: { asNumber: 64512 } })

  t.equal(
    (await cli(['get', 'bgppeers'])).stdout,
    'NAME    PEERIP           NODE       ASN     \n' +
      'peer1   10.99.0.1        (global)   64512   \n' +
      'peer2   [fd99::1]:1790   node1      65546   \n\n',
  )
})

t.test('one failing resource does not stop the others; exit 1', async (t) => {
  const input = `apiVersion: projectcalico.org/v3
kind: BGPPeer
metadata: {name: peer1}
spec: {peerIP: 10.99.0.1, asNumber: 64512}
---
apiVersion: projectcalico.org/v3
kind: BGPPeer
metadata: {name: peer3}
spec: {peerIP: 10.99.0.3, asNumber: 64513}
---
apiVersion: projectcalico.org/v3
kind: BGPPeer
metadata: {name: peer4}
spec: {peerIP: 10.99.0.300, asNumber: 64514}
`
  const r = await cli(['create', '-f', '-'], { input })
  t.equal(r.code, 1)
  t.equal(r.stdout, "Successfully created 1 'BGPPeer' resource(s)\n")
  t.equal(
    r.stderr,
    "Failed to create 'BGPPeer' resource: [resource already exists: BGPPeer(peer1)]\n" +
      "Failed to create 'BGPPeer' resource: [spec.peerIP: octet 300 of \"10.99.0.300\" is out of range]\n",
  )
  t.ok(await stored('bgppeers', 'peer3'))
  t.equal(await stored('bgppeers', 'peer4'), undefined)
})

t.test('replace of a missing resource fails naming it', async (t) => {
  const r = await cli(['replace', '-f', '-'], {
    input: 'apiVersion: projectcalico.org/v3\nkind: BGPPeer\nmetadata: {name: nope}\nspec: {peerIP: 10.99.0.9, asNumber: 65000}\n',
  })
  t.same([r.code, r.stdout, r.stderr], [1, '', "Failed to replace 'BGPPeer' resource: [resource does not exist: BGPPeer(nope)]\n"])
})

t.test('List and typed-list input, JSON input', async (t) => {
  const list = `apiVersion: projectcalico.org/v3
kind: BGPPeerList
items:
- metadata: {name: listed-a}
  spec: {peerIP: 10.99.1.1, asNumber: 65101}
- metadata: {name: listed-b}
  spec: {peerIP: 10.99.1.2, asNumber: 65102}
`
  t.equal((await cli(['create', '-f', '-'], { input: list })).stdout, "Successfully created 2 'BGPPeer' resource(s)\n")
  const json = JSON.stringify({
    apiVersion: 'projectcalico.org/v3',
    kind: 'List',
    items: [
      { apiVersion: 'projectcalico.org/v3', kind: 'IPPool', metadata: { name: 'pool-a' }, spec: { cidr: '10.98.0.0/16' } },
      { apiVersion: 'projectcalico.org/v3', kind: 'BGPPeer', metadata: { name: 'listed-c' }, spec: { peerIP: '10.99.1.3', asNumber: 65103 } },
    ],
  })
  t.equal((await cli(['create', '-f', '-'], { input: json })).stdout, 'Successfully created 2 resource(s)\n', 'mixed kinds')
  const deleted = await cli(['delete', '-f', '-'], { input: list })
  t.equal(deleted.stdout, "Successfully deleted 2 'BGPPeer' resource(s)\n")
  t.equal((await cli(['delete', 'bgppeer', 'listed-c'])).stdout, "Successfully deleted 1 'BGPPeer' resource(s)\n")
  t.equal((await cli(['delete', 'ippools', 'pool-a'])).stdout, "Successfully deleted 1 'IPPool' resource(s)\n")
  const missing = await cli(['delete', 'bgppeer', 'listed-c'])
  t.same([missing.code, missing.stderr], [1, "Failed to delete 'BGPPeer' resource: [resource does not exist: BGPPeer(listed-c)]\n"])
  const skipped = await cli(['delete', 'bgppeer', 'listed-c', '--skip-not-exists'])
  t.same([skipped.code, skipped.stdout], [0, "Successfully deleted 1 'BGPPeer' resource(s)\n"])
})

t.test('get -o yaml / json: one resource, or a <Kind>List', async (t) => {
  const one = await cli(['get', 'bgppeer', 'peer1', '-o', 'yaml'])
  t.equal(one.code, 0)
  const doc = parseYaml(one.stdout) as Record<string, unknown>
  t.match(doc, { apiVersion: 'projectcalico.org/v3', kind: 'BGPPeer', metadata: { name: 'peer1', resourceVersion: /^\d+$/ }, spec: { peerIP: '10.99.0.1', asNumber: 64512 } })
  t.match(one.stdout, /^apiVersion: projectcalico.org\/v3\nkind: BGPPeer\nmetadata:\n/, 'keys sorted, as calicoctl')

  const all = await cli(['get', 'bgpPeers', '-o', 'yaml'])
  const list = parseYaml(all.stdout) as { kind: string; apiVersion: string; items: { metadata: { name: string } }[] }
  t.equal(list.kind, 'BGPPeerList')
  t.equal(list.apiVersion, 'projectcalico.org/v3')
  t.same(list.items.map((i) => i.metadata.name), ['peer1', 'peer2', 'peer3'])
  t.match(all.stdout, /\nitems:\n- apiVersion: projectcalico.org\/v3\n  kind: BGPPeer\n/)

  const json = await cli(['get', 'bgppeer', 'peer2', '-o', 'json'])
  t.match(JSON.parse(json.stdout), { kind: 'BGPPeer', metadata: { name: 'peer2' }, spec: { node: 'node1', peerIP: '[fd99::1]:1790', asNumber: 65546 } })
  t.match(json.stdout, /^\{\n {2}"kind": "BGPPeer",\n {2}"apiVersion": "projectcalico.org\/v3",\n/)
  const jsonList = JSON.parse((await cli(['get', 'bp', '-o', 'json'])).stdout) as { kind: string; items: unknown[] }
  t.same([jsonList.kind, jsonList.items.length], ['BGPPeerList', 3])

  const legacyYaml = parseYaml((await cli(['get', 'bgpPeer', '--node=node1', '-o', 'yaml'])).stdout) as { items: { metadata: { name: string } }[] }
  t.same(legacyYaml.items.map((i) => i.metadata.name), ['peer2'], '--node filters the structured output too')
})

t.test('get: missing resource and unknown kind fail with one line', async (t) => {
  const missing = await cli(['get', 'bgppeer', 'nope'])
  t.same([missing.code, missing.stdout], [1, ''])
  t.equal(missing.stderr, 'Failed to get resources: resource does not exist: BGPPeer(nope) with error: key /calico/resources/v3/projectcalico.org/bgppeers/nope not found\n')
  const unknown = await cli(['get', 'policies'])
  t.same([unknown.code, unknown.stdout, unknown.stderr], [1, '', "Failed to get resources: resource type 'policies' is not supported\n"])
})
