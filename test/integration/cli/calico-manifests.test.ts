import t from 'tap'
import { cliEnv } from './env.js'

// Manifests written for current Calico, applied with falconer and read back with etcdctl:
// the stored JSON is what calicoctl stores for the same file.

t.setTimeout(300_000)
const { cli, etcd } = await cliEnv(t)
const raw = async (plural: string, name: string): Promise<string> =>
  (await etcd.etcdctl(['get', `/calico/resources/v3/projectcalico.org/${plural}/${name}`, '--print-value-only'])).trim()

t.test('a Node with YAML boolean labels is stored with the string values calicoctl stores', async (t) => {
  const manifest = [
    'apiVersion: projectcalico.org/v3',
    'kind: Node',
    'metadata:',
    '  name: rr1',
    '  labels:',
    '    routeReflector: true',
    '    route-reflector: yes',
    '    zone: 0x1F',
    '    rack: 1.50',
    '  annotations: {owner: "a&b"}',
    'spec:',
    '  bgp:',
    '    ipv4Address: 10.99.0.5/24',
    '    routeReflectorClusterID: 224.0.0.1',
  ].join('\n')
  const applied = await cli(['apply', '-f', '-'], { input: manifest })
  t.same([applied.code, applied.stdout, applied.stderr], [0, "Successfully applied 1 'Node' resource(s)\n", ''])
  const text = await raw('nodes', 'rr1')
  t.match(
    text,
    /^\{"kind":"Node","apiVersion":"projectcalico.org\/v3","metadata":\{"name":"rr1","uid":"[^"]+","creationTimestamp":"[^"]+","labels":\{"rack":"1.5","route-reflector":"true","routeReflector":"true","zone":"31"\},"annotations":\{"owner":"a\\u0026b"\}\},"spec":\{"bgp":\{"ipv4Address":"10.99.0.5\/24","routeReflectorClusterID":"224.0.0.1"\}\}/,
  )

  // A selector written for Calico matches the stored label.
  const peer = [
    'apiVersion: projectcalico.org/v3',
    'kind: BGPPeer',
    'metadata: {name: to-rr}',
    'spec:',
    "  nodeSelector: \"!has(route-reflector)\"",
    "  peerSelector: route-reflector == 'true'",
  ].join('\n')
  t.equal((await cli(['apply', '-f', '-'], { input: peer })).code, 0)
  const got = await cli(['get', 'nodes', '-o', 'json'])
  t.equal(got.code, 0)
  t.match(got.stdout, /"route-reflector": "true"/)
})

t.test('a List of mixed kinds in JSON, booleans and all', async (t) => {
  const list = JSON.stringify({
    apiVersion: 'projectcalico.org/v3',
    kind: 'List',
    items: [
      { kind: 'IPPool', apiVersion: 'projectcalico.org/v3', metadata: { name: 'p1', labels: { tier: 1 } }, spec: { cidr: '10.50.0.0/16', natOutgoing: true } },
    ],
  }).replace('true', 'yes')
  const applied = await cli(['apply', '-f', '-'], { input: list })
  t.same([applied.code, applied.stderr], [0, ''])
  t.match(await raw('ippools', 'p1'), /"labels":\{"tier":"1"\}\},"spec":\{"cidr":"10.50.0.0\/16","blockSize":26,"natOutgoing":true\}/)
})

t.test('BGPFilter: apply, get, delete; a filter falconer cannot render is refused naming the field', async (t) => {
  const manifest = [
    'apiVersion: projectcalico.org/v3',
    'kind: BGPFilter',
    'metadata: {name: tor-export}',
    'spec:',
    '  exportV4:',
    '  - {action: Reject, matchOperator: In, cidr: 10.50.0.0/16, prefixLength: {min: 24}}',
  ].join('\n')
  const applied = await cli(['apply', '-f', '-'], { input: manifest })
  t.same([applied.code, applied.stdout, applied.stderr], [0, "Successfully applied 1 'BGPFilter' resource(s)\n", ''])
  t.match(await raw('bgpfilters', 'tor-export'), /"spec":\{"exportV4":\[\{"cidr":"10.50.0.0\/16","prefixLength":\{"min":24\},"matchOperator":"In","action":"Reject"\}\]\}\}$/)
  const got = await cli(['get', 'bgpfilters'])
  t.same([got.code, got.stdout], [0, 'NAME         \ntor-export   \n\n'])
  const refused = await cli(['apply', '-f', '-'], { input: manifest.replace('action: Reject', 'action: Reject, peerType: eBGP') })
  t.not(refused.code, 0)
  t.match(refused.stderr, /spec\.exportV4\[0\]\.peerType.*not supported by falconer/)
  const deleted = await cli(['delete', 'bgpfilter', 'tor-export'])
  t.same([deleted.code, deleted.stdout], [0, "Successfully deleted 1 'BGPFilter' resource(s)\n"])
  t.equal(await raw('bgpfilters', 'tor-export'), '')
})
