import t from 'tap'
import { parseAllDocuments } from 'yaml'
import { parseSelector, validateResource } from '../../../src/api/index.js'
import { deepFreeze, expectInvalid } from './helpers.js'

/** Values as Calico stores them under /calico/resources/v3/projectcalico.org/… (already canonical). */
const STORED: Record<string, string> = {
  'worker node (calico/node with Felix fields)': String.raw`{"kind":"Node","apiVersion":"projectcalico.org/v3","metadata":{"name":"worker-1.example.com","uid":"1e9b0bd4-4c16-4d4c-8b6e-7d8f3c2a1b0e","creationTimestamp":"2024-03-11T08:15:42Z","labels":{"beta.kubernetes.io/arch":"amd64","beta.kubernetes.io/os":"linux","kubernetes.io/arch":"amd64","kubernetes.io/hostname":"worker-1.example.com","kubernetes.io/os":"linux","node-role.kubernetes.io/worker":"","topology.kubernetes.io/zone":"rack-1"},"annotations":{"projectcalico.org/kube-labels":"{\"kubernetes.io/hostname\":\"worker-1.example.com\"}"}},"spec":{"bgp":{"ipv4Address":"10.99.0.2/24","ipv6Address":"fd99::2/64","ipv4IPIPTunnelAddr":"192.168.112.128"},"ipv4VXLANTunnelAddr":"192.168.112.129","vxlanTunnelMACAddr":"66:d4:3b:21:7a:0e","orchRefs":[{"nodeName":"worker-1.example.com","orchestrator":"k8s"}],"addresses":[{"address":"10.99.0.2/24","type":"CalicoNodeIP"},{"address":"10.99.0.2","type":"InternalIP"}],"wireguard":{"interfaceIPv4Address":"192.168.112.130"}},"status":{"podCIDRs":["192.168.112.0/24"],"wireguardPublicKey":"jlkVyQYooZYzI2wFfNhSZez5eWh44yfq1wKVjLvSXgY="}}`,
  'route reflector node': `{"kind":"Node","apiVersion":"projectcalico.org/v3","metadata":{"name":"rr-1","uid":"a3f0c1d2-0000-4000-8000-000000000001","creationTimestamp":"2024-03-11T08:00:00Z","labels":{"route-reflector":"true"}},"spec":{"bgp":{"asNumber":65001,"ipv4Address":"10.99.0.10/24","routeReflectorClusterID":"224.0.0.1"},"orchRefs":[{"orchestrator":"k8s","nodeName":"rr-1"}]},"status":{}}`,
  'bare-metal node without orchestrator': `{"kind":"Node","apiVersion":"projectcalico.org/v3","metadata":{"name":"node2"},"spec":{"bgp":{"ipv6Address":"fd99::3/64"}}}`,
  'global ToR peer with password': `{"kind":"BGPPeer","apiVersion":"projectcalico.org/v3","metadata":{"name":"tor-a","uid":"5c2d3a1f-1111-4aaa-9bbb-222233334444","creationTimestamp":"2024-03-12T09:00:00Z"},"spec":{"peerIP":"10.99.0.254","asNumber":64567,"password":{"secretKeyRef":{"name":"bgp-secrets","key":"tor-a"}},"keepOriginalNextHop":true,"sourceAddress":"UseNodeIP","maxRestartTime":"2m0s"}}`,
  'rack peer by node selector, IPv6 with port': `{"kind":"BGPPeer","apiVersion":"projectcalico.org/v3","metadata":{"name":"rack1-tor-v6"},"spec":{"nodeSelector":"rack == 'rack-1'","peerIP":"[fd99::fe]:1790","asNumber":4200000001,"ttlSecurity":1,"numAllowedLocalASNumbers":1}}`,
  'node-specific peer': `{"kind":"BGPPeer","apiVersion":"projectcalico.org/v3","metadata":{"name":"node1-upstream"},"spec":{"node":"node1","peerIP":"10.99.1.1:179","asNumber":65000,"sourceAddress":"None"}}`,
  'route reflector clients by peer selector': `{"kind":"BGPPeer","apiVersion":"projectcalico.org/v3","metadata":{"name":"peer-with-route-reflectors"},"spec":{"nodeSelector":"all()","peerSelector":"route-reflector == 'true'"}}`,
  'default BGP configuration': `{"kind":"BGPConfiguration","apiVersion":"projectcalico.org/v3","metadata":{"name":"default","uid":"0d6b5e8c-2222-4bbb-8ccc-333344445555","creationTimestamp":"2024-03-11T08:00:00Z"},"spec":{"logSeverityScreen":"Info","nodeToNodeMeshEnabled":false,"asNumber":63400,"listenPort":178,"communities":[{"name":"bgp-large-community","value":"63400:300:100"}],"prefixAdvertisements":[{"cidr":"172.218.4.0/26","communities":["bgp-large-community","63400:120"]}],"serviceClusterIPs":[{"cidr":"10.96.0.0/12"},{"cidr":"fd00:10:96::/112"}],"serviceExternalIPs":[{"cidr":"104.244.42.129/32"},{"cidr":"172.217.3.0/24"}],"serviceLoadBalancerIPs":[{"cidr":"10.11.0.0/16"}],"ignoredInterfaces":["iface-1","iface-2*"],"bindMode":"NodeIP"}}`,
  'default BGP configuration with mesh settings': `{"kind":"BGPConfiguration","apiVersion":"projectcalico.org/v3","metadata":{"name":"default"},"spec":{"nodeToNodeMeshEnabled":true,"asNumber":64512,"nodeMeshPassword":{"secretKeyRef":{"name":"bgp-secrets","key":"mesh"}},"nodeMeshMaxRestartTime":"1m30s"}}`,
  'per-node BGP configuration': `{"kind":"BGPConfiguration","apiVersion":"projectcalico.org/v3","metadata":{"name":"node.rr-1"},"spec":{"logSeverityScreen":"Debug","listenPort":1790}}`,
  'default IPv4 pool': `{"kind":"IPPool","apiVersion":"projectcalico.org/v3","metadata":{"name":"default-ipv4-ippool","uid":"77aa88bb-3333-4ccc-9ddd-444455556666","creationTimestamp":"2024-03-11T08:00:01Z"},"spec":{"cidr":"192.168.0.0/16","vxlanMode":"Never","ipipMode":"Always","natOutgoing":true,"blockSize":26,"nodeSelector":"all()","allowedUses":["Workload","Tunnel"]}}`,
  'default IPv6 pool': `{"kind":"IPPool","apiVersion":"projectcalico.org/v3","metadata":{"name":"default-ipv6-ippool"},"spec":{"cidr":"fd2e:6f44:5dd8::/48","vxlanMode":"Never","ipipMode":"Never","natOutgoing":false,"blockSize":122,"nodeSelector":"all()","allowedUses":["Workload","Tunnel"]}}`,
  'node status request with a report': `{"kind":"CalicoNodeStatus","apiVersion":"projectcalico.org/v3","metadata":{"name":"worker-1-status"},"spec":{"node":"worker-1.example.com","classes":["Agent","BGP","Routes"],"updatePeriodSeconds":10},"status":{"lastUpdated":"2024-03-12T10:00:00Z","agent":{"birdV4":{"state":"Ready","version":"v1.6.8","routerID":"10.99.0.2","lastBootTime":"2024-03-12 09:00:00","lastReconfigurationTime":"2024-03-12 09:30:00"},"birdV6":{"state":"Ready","version":"v1.6.8","routerID":"10.99.0.2","lastBootTime":"2024-03-12 09:00:00","lastReconfigurationTime":"2024-03-12 09:30:00"}},"bgp":{"numberEstablishedV4":1,"numberEstablishedV6":1,"numberNotEstablishedV4":0,"numberNotEstablishedV6":0,"peersV4":[{"peerIP":"10.99.0.10","type":"NodeMesh","state":"Established","since":"09:00:05"}],"peersV6":[{"peerIP":"fd99::3","type":"NodeMesh","state":"Established","since":"09:00:05"}]},"routes":{"routesV4":[{"type":"FIB","destination":"192.168.1.0/26","gateway":"10.99.0.10","interface":"eth0","learnedFrom":{"sourceType":"NodeMesh","peerIP":"10.99.0.10"}}]}}}`,
  'pod workload endpoint': `{"kind":"WorkloadEndpoint","apiVersion":"projectcalico.org/v3","metadata":{"name":"worker--1.example.com-k8s-nginx--5c7588df--abcde-eth0","generateName":"nginx-5c7588df-","namespace":"default","uid":"9f8e7d6c-4444-4ddd-8eee-555566667777","creationTimestamp":"2024-03-12T09:10:00Z","labels":{"app":"nginx","pod-template-hash":"5c7588df","projectcalico.org/namespace":"default","projectcalico.org/orchestrator":"k8s","projectcalico.org/serviceaccount":"default"}},"spec":{"orchestrator":"k8s","node":"worker-1.example.com","workload":"","endpoint":"eth0","interfaceName":"cali12d4a061371","ipNetworks":["192.168.112.131/32"],"containerID":"4a1b2c3d4e5f","pod":"nginx-5c7588df-abcde","serviceAccountName":"default","profiles":["kns.default","ksa.default.default"],"mac":"ee:ee:ee:ee:ee:ee","ports":[{"name":"http","protocol":"TCP","port":80,"hostPort":0,"hostIP":""}]}}`,
}

/** Calico omits empty strings; our canonical copy does too. */
function withoutEmptyWorkload(v: Record<string, unknown>): Record<string, unknown> {
  const spec = { ...(v.spec as Record<string, unknown>) }
  if (spec.workload === '') delete spec.workload
  return { ...v, spec }
}

t.test('stored Calico values round-trip unchanged', async (t) => {
  for (const [label, text] of Object.entries(STORED)) {
    const raw = deepFreeze(JSON.parse(text) as Record<string, unknown>)
    const out = validateResource(raw)
    t.same(out, raw.kind === 'WorkloadEndpoint' ? withoutEmptyWorkload(raw) : raw, label)
    t.equal(JSON.stringify(raw), text, `${label}: input untouched`)
    t.same(validateResource(JSON.parse(JSON.stringify(out))), out, `${label}: JSON round trip is stable`)
    t.equal(out.metadata.resourceVersion, undefined, `${label}: no resourceVersion invented`)
  }
})

t.test('metadata.resourceVersion from the datastore passes through', async (t) => {
  const raw = JSON.parse(STORED['route reflector node'] as string) as { metadata: Record<string, unknown> }
  raw.metadata.resourceVersion = '48213'
  t.equal(validateResource(raw).metadata.resourceVersion, '48213')
})

t.test('selectors stored in samples parse and match', async (t) => {
  const rr = JSON.parse(STORED['route reflector node'] as string) as { metadata: { labels: Record<string, string> } }
  const worker = JSON.parse(STORED['worker node (calico/node with Felix fields)'] as string) as { metadata: { labels: Record<string, string> } }
  const rrSelector = parseSelector("route-reflector == 'true'")
  t.equal(rrSelector.matches(rr.metadata.labels), true)
  t.equal(rrSelector.matches(worker.metadata.labels), false)
  t.equal(parseSelector("topology.kubernetes.io/zone in {'rack-1', 'rack-2'} && !has(route-reflector)").matches(worker.metadata.labels), true)
  t.equal(parseSelector("has(node-role.kubernetes.io/worker)").matches(worker.metadata.labels), true)
})

t.test('an operator-written YAML manifest is canonicalised', async (t) => {
  const manifest = `
apiVersion: projectcalico.org/v3
kind: BGPPeer
metadata:
  name: tor-b
spec:
  peerIP: "[FD99:0:0::00FE]:1790"
  asNumber: "1.10"
  maxRestartTime: 120s
  nodeSelector: rack == "rack-2"
---
apiVersion: projectcalico.org/v3
kind: IPPool
metadata:
  name: pool-a
  labels:
    tier: gold
spec:
  cidr: 10.244.0.0/16
  ipipMode: CrossSubnet
---
apiVersion: projectcalico.org/v3
kind: Node
metadata:
  name: node3
spec:
  bgp:
    asNumber: 64513
    ipv4Address: 10.99.0.7
    ipv6Address: FD99:0::7/64
`
  const docs = parseAllDocuments(manifest).map((d) => validateResource(d.toJS()))
  t.same(docs, [
    { apiVersion: 'projectcalico.org/v3', kind: 'BGPPeer', metadata: { name: 'tor-b' },
      spec: { nodeSelector: 'rack == "rack-2"', peerIP: '[fd99::fe]:1790', asNumber: 65546, maxRestartTime: '2m0s' } },
    { apiVersion: 'projectcalico.org/v3', kind: 'IPPool', metadata: { name: 'pool-a', labels: { tier: 'gold' } },
      spec: { cidr: '10.244.0.0/16', blockSize: 26, ipipMode: 'CrossSubnet' } },
    { apiVersion: 'projectcalico.org/v3', kind: 'Node', metadata: { name: 'node3' },
      spec: { bgp: { asNumber: 64513, ipv4Address: '10.99.0.7/32', ipv6Address: 'fd99::7/64' } } },
  ])
})

t.test('an unquoted asdot AS number in YAML is caught, not misread', async (t) => {
  const [d] = parseAllDocuments('apiVersion: projectcalico.org/v3\nkind: BGPPeer\nmetadata: {name: p}\nspec: {peerIP: 10.0.0.1, asNumber: 1.10}\n')
  expectInvalid(t, () => validateResource(d?.toJS()), 'spec.asNumber', 'quote asdot notation')
})
