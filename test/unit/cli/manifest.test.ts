import t from 'tap'
import { ManifestError, parseManifest } from '../../../src/cli/manifest.js'

t.test('a single YAML document', async (t) => {
  const docs = parseManifest('apiVersion: projectcalico.org/v3\nkind: BGPPeer\nmetadata:\n  name: p1\nspec:\n  peerIP: 10.0.0.1\n  asNumber: 64512\n')
  t.same(docs, [
    {
      line: 1,
      value: { apiVersion: 'projectcalico.org/v3', kind: 'BGPPeer', metadata: { name: 'p1' }, spec: { peerIP: '10.0.0.1', asNumber: 64512 } },
    },
  ])
})

t.test('several YAML documents, empty ones and comments skipped, lines of each start', async (t) => {
  const text = [
    '# leading comment',
    'kind: BGPPeer',
    'metadata: {name: a}',
    '---',
    '---',
    '# only a comment',
    '---',
    'kind: Node',
    'metadata: {name: b}',
    '...',
  ].join('\n')
  const docs = parseManifest(text)
  t.same(docs.map((d) => [d.line, d.value.kind, (d.value.metadata as { name: string }).name]), [
    [2, 'BGPPeer', 'a'],
    [8, 'Node', 'b'],
  ])
})

t.test('an empty input holds no documents', async (t) => {
  t.same(parseManifest(''), [])
  t.same(parseManifest('# nothing here\n'), [])
})

t.test('JSON, a single object or an array of resources', async (t) => {
  t.same(parseManifest('{"kind": "IPPool", "metadata": {"name": "p"}}').map((d) => d.value.kind), ['IPPool'])
  const docs = parseManifest('[\n  {"kind": "IPPool", "metadata": {"name": "p"}},\n  {"kind": "Node", "metadata": {"name": "n"}}\n]\n')
  t.same(docs.map((d) => [d.line, d.value.kind]), [[2, 'IPPool'], [3, 'Node']])
})

t.test('kind: List and typed lists are flattened; items inherit apiVersion and kind', async (t) => {
  const v3 = parseManifest(
    [
      'apiVersion: projectcalico.org/v3',
      'kind: List',
      'items:',
      '- apiVersion: projectcalico.org/v3',
      '  kind: BGPPeer',
      '  metadata: {name: a}',
      '- apiVersion: projectcalico.org/v3',
      '  kind: IPPool',
      '  metadata: {name: b}',
    ].join('\n'),
  )
  t.same(v3.map((d) => d.value.kind), ['BGPPeer', 'IPPool'])

  const typed = parseManifest('apiVersion: projectcalico.org/v3\nkind: BGPPeerList\nitems:\n- metadata: {name: a}\n- metadata: {name: b}\n  kind: BGPPeer\n')
  t.same(typed.map((d) => d.value), [
    { apiVersion: 'projectcalico.org/v3', kind: 'BGPPeer', metadata: { name: 'a' } },
    { apiVersion: 'projectcalico.org/v3', kind: 'BGPPeer', metadata: { name: 'b' } },
  ])

  const v1 = parseManifest('apiVersion: v1\nkind: bgpPeerList\nitems:\n- metadata: {peerIP: 10.0.0.1, scope: global}\n  spec: {asNumber: 64567}\n')
  t.same(v1.map((d) => [d.value.apiVersion, d.value.kind]), [['v1', 'bgpPeer']])

  t.same(parseManifest('kind: List\nitems: []\n'), [], 'an empty list holds nothing')
})

t.test('malformed YAML names the line, yaml: line N: …', async (t) => {
  const cases: [string, number, RegExp][] = [
    ['kind: BGPPeer\nmetadata:\n  name: [a, b\nspec: {}\n', 4, /^yaml: line 4: /],
    ['apiVersion: v1\nkind: bgpPeer\nmetadata: peerIP: 1.2.3.4\n', 3, /^yaml: line 3: Nested mappings are not allowed in compact mappings$/],
    ['kind: BGPPeer\n---\nkind: Node\nkind: Node\n', 4, /^yaml: line 4: Map keys must be unique$/],
    ['kind: BGPPeer\n\tmetadata: {}\n', 2, /^yaml: line 2: /],
  ]
  for (const [text, line, message] of cases) {
    const err = (() => {
      try {
        parseManifest(text)
      } catch (e) {
        return e
      }
      return undefined
    })()
    t.type(err, ManifestError, JSON.stringify(text))
    t.equal((err as ManifestError).line, line, `line of ${JSON.stringify(text)}`)
    t.match((err as ManifestError).message, message)
    t.notMatch((err as ManifestError).message, /\n/, 'one line')
  }
})

t.test('documents that are not mappings are refused with their line', async (t) => {
  t.throws(() => parseManifest('kind: A\n---\njust a string\n'), new ManifestError('line 3: expected a resource (a mapping with apiVersion, kind, metadata, spec), found a string ("just a string")', 3))
  t.throws(() => parseManifest('kind: List\nitems: 3\n'), /List.items must be a sequence/)
  t.throws(() => parseManifest('- 1\n'), /line 1: expected a resource .* found a number \(1\)/)
})

t.test('YAML 1.1 scalars as calicoctl reads them: strings where the Go field is a string', async (t) => {
  const [node] = parseManifest(
    [
      'apiVersion: projectcalico.org/v3',
      'kind: Node',
      'metadata:',
      '  name: n1',
      '  labels:',
      '    routeReflector: true',
      '    route-reflector: yes',
      '    a: on',
      '    b: n',
      '    hex: 0x1F',
      '    oct: 017',
      '    under: 1_000',
      '    eight: 08',
      '    float: 1.50',
      '    million: 1e6',
      '    pi: 3.14159265358979',
      '    date: 2001-12-14',
      '    sexagesimal: 1:20',
      '    empty: ~',
      '    quoted: "yes"',
      '    big: 12345678901234567890',
      '    on: key-is-a-boolean',
      '  annotations: {note: off}',
      'spec:',
      '  bgp: {asNumber: 64512, ipv4Address: 10.0.0.1/24}',
    ].join('\n'),
  )
  t.same(node?.value.metadata, {
    name: 'n1',
    labels: {
      routeReflector: 'true', 'route-reflector': 'true', a: 'true', b: 'false', hex: '31', oct: '15', under: '1000', eight: '8',
      float: '1.5', million: '1e+06', pi: '3.1415927', date: '2001-12-14', sexagesimal: '1:20', empty: '', quoted: 'yes',
      big: '12345678901234567890', true: 'key-is-a-boolean',
    },
    annotations: { note: 'false' },
  })
  t.same(node?.value.spec, { bgp: { asNumber: 64512, ipv4Address: '10.0.0.1/24' } }, 'an AS number stays a number')
})

t.test('YAML 1.1 booleans where the Go field is a boolean; JSON input goes the same way', async (t) => {
  const docs = parseManifest(
    'kind: BGPConfiguration\nmetadata: {name: default}\nspec: {nodeToNodeMeshEnabled: off, asNumber: 0x10}\n---\n' +
      '{"kind": "BGPPeer", "metadata": {"name": "p", "labels": {"x": true}}, "spec": {"keepOriginalNextHop": yes, "peerSelector": 1}}\n',
  )
  t.same(docs.map((d) => d.value.spec), [{ nodeToNodeMeshEnabled: false, asNumber: 16 }, { keepOriginalNextHop: true, peerSelector: '1' }])
  t.same((docs[1]?.value.metadata as { labels: unknown }).labels, { x: 'true' })
})

t.test('items of a List are converted by their own kind', async (t) => {
  const docs = parseManifest('kind: List\nitems:\n- kind: Node\n  metadata: {name: a, labels: {rr: yes}}\n- kind: BGPPeer\n  metadata: {name: b}\n  spec: {nodeSelector: yes}\n')
  t.same(docs.map((d) => d.value), [
    { kind: 'Node', metadata: { name: 'a', labels: { rr: 'true' } } },
    { kind: 'BGPPeer', metadata: { name: 'b' }, spec: { nodeSelector: 'true' } },
  ])
})

t.test('a null map key and an infinite number are refused as calicoctl refuses them', async (t) => {
  t.throws(() => parseManifest('kind: Node\nmetadata:\n  name: a\n  labels: {~: x}\n'), ManifestError)
  t.throws(() => parseManifest('kind: BGPPeer\nmetadata: {name: a}\nspec: {asNumber: .inf}\n'), /unsupported value/)
})
