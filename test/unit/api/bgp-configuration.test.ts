import t from 'tap'
import { validateKind } from '../../../src/api/index.js'
import { doc, expectInvalid } from './helpers.js'

const config = (spec: unknown, name = 'default'): Record<string, unknown> => doc('BGPConfiguration', spec, { name })
const password = { secretKeyRef: { name: 'bgp-secrets', key: 'mesh' } }
const communities = [
  { name: 'bgp-large-community', value: '63400:300:100' },
  { name: 'internal', value: '65000:100' },
]

t.test('valid configurations are canonicalised', async (t) => {
  const cases: [unknown, unknown][] = [
    [undefined, {}],
    [{}, {}],
    [{ logSeverityScreen: 'Info', nodeToNodeMeshEnabled: true, asNumber: 63400, listenPort: 178 },
      { logSeverityScreen: 'Info', nodeToNodeMeshEnabled: true, asNumber: 63400, listenPort: 178 }],
    [{ logSeverityScreen: 'None', asNumber: '1.10' }, { logSeverityScreen: 'None', asNumber: 65546 }],
    [{ nodeToNodeMeshEnabled: false }, { nodeToNodeMeshEnabled: false }],
    [{ listenPort: 1 }, { listenPort: 1 }],
    [{ listenPort: 65535 }, { listenPort: 65535 }],
    [{ communities, prefixAdvertisements: [{ cidr: '172.218.4.0/26', communities: ['bgp-large-community', '63400:120'] }] },
      { communities, prefixAdvertisements: [{ cidr: '172.218.4.0/26', communities: ['bgp-large-community', '63400:120'] }] }],
    [{ communities: [{ name: 'x', value: '065000:0100' }], prefixAdvertisements: [{ cidr: '10.0.0.1', communities: ['x', '01:02:03'] }] },
      { communities: [{ name: 'x', value: '65000:100' }], prefixAdvertisements: [{ cidr: '10.0.0.1/32', communities: ['x', '1:2:3'] }] }],
    [{ prefixAdvertisements: [{ cidr: 'FD00:0::/64', communities: ['65000:1'] }] },
      { prefixAdvertisements: [{ cidr: 'fd00::/64', communities: ['65000:1'] }] }],
    [{ serviceClusterIPs: [{ cidr: '10.96.0.0/12' }, { cidr: 'fd00:10:96::/112' }], serviceExternalIPs: [{ cidr: '104.244.42.129' }] },
      { serviceClusterIPs: [{ cidr: '10.96.0.0/12' }, { cidr: 'fd00:10:96::/112' }], serviceExternalIPs: [{ cidr: '104.244.42.129/32' }] }],
    [{ ignoredInterfaces: ['cali*', 'eth0.100', 'veth@if3'] }, { ignoredInterfaces: ['cali*', 'eth0.100', 'veth@if3'] }],
    [{ nodeMeshPassword: password, nodeMeshMaxRestartTime: '90s' }, { nodeMeshPassword: password, nodeMeshMaxRestartTime: '1m30s' }],
    [{ nodeToNodeMeshEnabled: true, nodeMeshPassword: password }, { nodeToNodeMeshEnabled: true, nodeMeshPassword: password }],
    [{ bindMode: 'NodeIP' }, { bindMode: 'NodeIP' }],
    [{ logSeverityScreen: '', asNumber: '' }, {}],
    // Calico fields falconer does not act on are kept.
    [{ serviceLoadBalancerIPs: [{ cidr: '10.11.0.0/16' }], localWorkloadPeeringIPV4: '169.254.0.179' },
      { serviceLoadBalancerIPs: [{ cidr: '10.11.0.0/16' }], localWorkloadPeeringIPV4: '169.254.0.179' }],
  ]
  for (const [spec, want] of cases) t.same(validateKind('BGPConfiguration', config(spec)).spec, want, JSON.stringify(spec))
  t.equal(validateKind('BGPConfiguration', config({ listenPort: 1790 }, 'node.node1')).metadata.name, 'node.node1')
  t.equal(validateKind('BGPConfiguration', config({}, 'node.rack1.example.com')).metadata.name, 'node.rack1.example.com')
})

t.test('invalid configurations name the field', async (t) => {
  const advert = [{ cidr: '10.0.0.0/24', communities: ['internal'] }]
  const cases: [unknown, string, string][] = [
    [{ logSeverityScreen: 'info' }, 'spec.logSeverityScreen', 'must be one of Debug, Info, Warning, Error, Fatal, None'],
    [{ logSeverityScreen: 'Trace' }, 'spec.logSeverityScreen', 'must be one of'],
    [{ nodeToNodeMeshEnabled: 'false' }, 'spec.nodeToNodeMeshEnabled', 'expected true or false'],
    [{ asNumber: 0 }, 'spec.asNumber', 'between 1 and 4294967295'],
    [{ asNumber: '65536.0' }, 'spec.asNumber', 'asdot halves'],
    [{ listenPort: 0 }, 'spec.listenPort', 'between 1 and 65535'],
    [{ listenPort: 65536 }, 'spec.listenPort', 'between 1 and 65535'],
    [{ listenPort: '179' }, 'spec.listenPort', 'expected an integer'],
    [{ communities: [communities[0], { name: 'b', value: '65536:1' }], prefixAdvertisements: advert }, 'spec.communities[1].value', 'standard community parts must be between 0 and 65535'],
    [{ communities: [{ name: 'a', value: '1:2:4294967296' }], prefixAdvertisements: advert }, 'spec.communities[0].value', 'large community parts'],
    [{ communities: [{ name: 'a', value: 'abc' }], prefixAdvertisements: advert }, 'spec.communities[0].value', 'is not a community'],
    [{ communities: [{ name: 'a' }], prefixAdvertisements: advert }, 'spec.communities[0].value', 'required'],
    [{ communities: [{ name: 'a b', value: '1:1' }], prefixAdvertisements: advert }, 'spec.communities[0].name', 'not a valid community name'],
    [{ communities: [{ name: 'a.b', value: '1:1' }], prefixAdvertisements: advert }, 'spec.communities[0].name', 'not a valid community name'],
    [{ communities: [{ value: '1:1' }], prefixAdvertisements: advert }, 'spec.communities[0].name', 'required'],
    [{ communities: [{ name: 'a', value: '1:1' }, { name: 'a', value: '1:2' }], prefixAdvertisements: advert }, 'spec.communities[1].name', 'duplicate community name'],
    [{ communities: [{ name: 'a', value: '1:1', comment: 'x' }], prefixAdvertisements: advert }, 'spec.communities[0].comment', 'unknown field'],
    [{ communities: { name: 'a', value: '1:1' } }, 'spec.communities', 'expected a list'],
    [{ communities: [{ name: 'a', value: '1:1' }] }, 'spec.communities', 'not used by any prefixAdvertisements'],
    [{ prefixAdvertisements: [{ cidr: '10.0.0.1/24', communities: ['1:1'] }] }, 'spec.prefixAdvertisements[0].cidr', 'host bits are set (did you mean 10.0.0.0/24?)'],
    [{ prefixAdvertisements: [{ cidr: '10.0.0.0/33', communities: ['1:1'] }] }, 'spec.prefixAdvertisements[0].cidr', 'prefix length'],
    [{ prefixAdvertisements: [{ communities: ['1:1'] }] }, 'spec.prefixAdvertisements[0].cidr', 'required'],
    [{ prefixAdvertisements: [{ cidr: '10.0.0.0/24', communities: ['1:1'] }, { cidr: '10.0.1.0/24', communities: ['1:1', 'undefined-name'] }] },
      'spec.prefixAdvertisements[1].communities[1]', 'neither a community value (aa:nn or aa:nn:mm) nor a name defined in spec.communities'],
    [{ prefixAdvertisements: [{ cidr: '10.0.0.0/24', communities: ['1:2:3:4'] }] }, 'spec.prefixAdvertisements[0].communities[0]', 'is not a community'],
    [{ prefixAdvertisements: [{ cidr: '10.0.0.0/24', communities: ['70000:1'] }] }, 'spec.prefixAdvertisements[0].communities[0]', 'between 0 and 65535'],
    [{ prefixAdvertisements: [{ cidr: '10.0.0.0/24', communities: [5] }] }, 'spec.prefixAdvertisements[0].communities[0]', 'expected a string'],
    [{ prefixAdvertisements: [{ cidr: '10.0.0.0/24', communities: [] }] }, 'spec.prefixAdvertisements[0].communities', 'at least one'],
    [{ prefixAdvertisements: [{ cidr: '10.0.0.0/24' }] }, 'spec.prefixAdvertisements[0].communities', 'required'],
    [{ serviceClusterIPs: [{ cidr: '10.96.0.1/12' }] }, 'spec.serviceClusterIPs[0].cidr', 'host bits are set (did you mean 10.96.0.0/12?)'],
    [{ serviceClusterIPs: [{ cidrs: '10.96.0.0/12' }] }, 'spec.serviceClusterIPs[0].cidrs', 'did you mean "cidr"?'],
    [{ serviceClusterIPs: ['10.96.0.0/12'] }, 'spec.serviceClusterIPs[0]', 'expected an object'],
    [{ serviceExternalIPs: [{ cidr: '1.2.3.0/24' }, { cidr: '1.2.3' }] }, 'spec.serviceExternalIPs[1].cidr', 'not a valid IPv4'],
    [{ ignoredInterfaces: ['eth0', 'eth"0'] }, 'spec.ignoredInterfaces[1]', 'is not an interface pattern'],
    [{ ignoredInterfaces: ['abcdefghijklmnop'] }, 'spec.ignoredInterfaces[0]', 'too long'],
    [{ ignoredInterfaces: [''] }, 'spec.ignoredInterfaces[0]', 'is not an interface pattern'],
    [{ ignoredInterfaces: 'cali*' }, 'spec.ignoredInterfaces', 'expected a list'],
    [{ nodeToNodeMeshEnabled: false, nodeMeshPassword: password }, 'spec.nodeMeshPassword', 'cannot be set when nodeToNodeMeshEnabled is false'],
    [{ nodeToNodeMeshEnabled: false, nodeMeshMaxRestartTime: '120s' }, 'spec.nodeMeshMaxRestartTime', 'cannot be set when nodeToNodeMeshEnabled is false'],
    [{ nodeMeshMaxRestartTime: '5000s' }, 'spec.nodeMeshMaxRestartTime', 'at most 4095s'],
    [{ nodeMeshMaxRestartTime: 'soon' }, 'spec.nodeMeshMaxRestartTime', 'not a Go duration'],
    [{ nodeMeshPassword: { secretKeyRef: { name: 'x' } } }, 'spec.nodeMeshPassword.secretKeyRef.key', 'required'],
    [{ bindMode: 'All' }, 'spec.bindMode', 'must be one of None, NodeIP'],
    [{ asnumber: 1 }, 'spec.asnumber', 'did you mean "asNumber"?'],
    [{ listenport: 1 }, 'spec.listenport', 'did you mean "listenPort"?'],
    [{ nodeToNodeMesh: true }, 'spec.nodeToNodeMesh', 'unknown field'],
  ]
  for (const [spec, path, fragment] of cases) {
    expectInvalid(t, () => validateKind('BGPConfiguration', config(spec)), path, fragment, JSON.stringify(spec))
  }
  for (const name of ['global', 'nodes.node1', 'node1', 'node']) {
    expectInvalid(t, () => validateKind('BGPConfiguration', config({}, name)), 'metadata.name', 'must be "default" or "node.<nodename>"', name)
  }
  for (const name of ['Default', 'node.', 'node.Node1', 'node.-x']) {
    expectInvalid(t, () => validateKind('BGPConfiguration', config({}, name)), 'metadata.name', 'not a valid name', name)
  }
})
