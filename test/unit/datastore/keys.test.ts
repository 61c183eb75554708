import t from 'tap'
import { ValidationError } from '../../../src/api/errors.js'
import { formatCidr, parseCidr } from '../../../src/datastore/cidr.js'
import {
  affinityKey,
  affinityPrefix,
  blockKey,
  blockPrefix,
  parseKey,
  prefixRangeEnd,
  resourceKey,
  resourcePrefix,
} from '../../../src/datastore/keys.js'

t.test('resource keys follow the Calico v3 layout', async (t) => {
  t.equal(resourceKey('Node', 'node-1'), '/calico/resources/v3/projectcalico.org/nodes/node-1')
  t.equal(resourceKey('BGPPeer', 'tor'), '/calico/resources/v3/projectcalico.org/bgppeers/tor')
  t.equal(resourceKey('BGPConfiguration', 'node.n1'), '/calico/resources/v3/projectcalico.org/bgpconfigurations/node.n1')
  t.equal(resourceKey('IPPool', 'default-ipv4-ippool'), '/calico/resources/v3/projectcalico.org/ippools/default-ipv4-ippool')
  t.equal(resourceKey('CalicoNodeStatus', 's1'), '/calico/resources/v3/projectcalico.org/caliconodestatuses/s1')
  t.equal(
    resourceKey('WorkloadEndpoint', 'n1-k8s-pod-eth0', 'default'),
    '/calico/resources/v3/projectcalico.org/workloadendpoints/default/n1-k8s-pod-eth0',
  )
  t.equal(resourcePrefix('WorkloadEndpoint'), '/calico/resources/v3/projectcalico.org/workloadendpoints/')
  t.equal(resourcePrefix('WorkloadEndpoint', 'ns'), '/calico/resources/v3/projectcalico.org/workloadendpoints/ns/')
  t.equal(resourcePrefix('Node', 'ignored'), '/calico/resources/v3/projectcalico.org/nodes/')
})

t.test('names that would break the key layout are rejected', async (t) => {
  t.throws(() => resourceKey('Node', 'a/b'), ValidationError)
  t.throws(() => resourceKey('Node', ''), ValidationError)
  t.throws(() => resourceKey('WorkloadEndpoint', 'x'), { name: 'ValidationError', path: 'metadata.namespace' })
  t.throws(() => affinityKey('a/b', parseCidr('10.0.0.0/26')), ValidationError)
})

t.test('IPAM keys: "/" becomes "-", IPv6 keeps its colons in Go form', async (t) => {
  const v4 = parseCidr('192.168.3.64/26')
  const v6 = parseCidr('fd99:0:0::40/122')
  t.equal(affinityKey('n1', v4), '/calico/ipam/v2/host/n1/ipv4/block/192.168.3.64-26')
  t.equal(blockKey(v4), '/calico/ipam/v2/assignment/ipv4/block/192.168.3.64-26')
  t.equal(affinityKey('n1', v6), '/calico/ipam/v2/host/n1/ipv6/block/fd99::40-122')
  t.equal(blockKey(v6), '/calico/ipam/v2/assignment/ipv6/block/fd99::40-122')
  t.equal(blockKey(parseCidr('fd99::/122')), '/calico/ipam/v2/assignment/ipv6/block/fd99::-122')
  t.equal(affinityPrefix(), '/calico/ipam/v2/host/')
  t.equal(affinityPrefix('n1'), '/calico/ipam/v2/host/n1/')
  t.equal(affinityPrefix('n1', 6), '/calico/ipam/v2/host/n1/ipv6/block/')
  t.equal(blockPrefix(4), '/calico/ipam/v2/assignment/ipv4/block/')
})

t.test('parseKey inverts the builders', async (t) => {
  t.same(parseKey('/calico/resources/v3/projectcalico.org/bgppeers/tor'), { type: 'resource', kind: 'BGPPeer', name: 'tor' })
  t.same(parseKey('/calico/resources/v3/projectcalico.org/workloadendpoints/ns/w1'), {
    type: 'resource',
    kind: 'WorkloadEndpoint',
    namespace: 'ns',
    name: 'w1',
  })
  const aff = parseKey('/calico/ipam/v2/host/n1/ipv6/block/fd99::40-122')
  t.equal(aff?.type, 'affinity')
  if (aff?.type === 'affinity') {
    t.equal(aff.node, 'n1')
    t.equal(formatCidr(aff.cidr), 'fd99::40/122')
  }
  const block = parseKey('/calico/ipam/v2/assignment/ipv4/block/10.1.0.0-26')
  t.ok(block?.type === 'block' && formatCidr(block.cidr) === '10.1.0.0/26')
})

t.test('parseKey leaves alone what falconer does not model or what is malformed', async (t) => {
  for (const key of [
    '/calico/resources/v3/projectcalico.org/felixconfigurations/default',
    '/calico/resources/v3/projectcalico.org/nodes/a/b',
    '/calico/resources/v3/projectcalico.org/workloadendpoints/only-one',
    '/calico/ipam/v2/host/n1/ipv4/block/garbage',
    '/calico/ipam/v2/host/n1/ipv6/block/10.0.0.0-26',
    '/calico/ipam/v2/host/n1/ipv4/block/10.0.0.1-26',
    '/calico/ipam/v2/host/n1/ipv6/block/fd99:0::-122',
    '/calico/felix/v2/no-region/host/n1/status',
  ]) {
    t.equal(parseKey(key), undefined, key)
  }
})

t.test('prefixRangeEnd is the first key after the prefix', async (t) => {
  t.equal(prefixRangeEnd('/calico/').toString(), '/calico0')
  t.same([...prefixRangeEnd('a\u00ff')], [0x61, 0xc3, 0xc0])
})
