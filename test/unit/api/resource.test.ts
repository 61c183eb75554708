import t from 'tap'
import { validateKind, validateResource } from '../../../src/api/index.js'
import { deepFreeze, doc, expectInvalid, V3 } from './helpers.js'

const pool = (metadata: Record<string, unknown> = { name: 'p1' }): Record<string, unknown> =>
  doc('IPPool', { cidr: '10.0.0.0/16' }, metadata)

t.test('envelope: apiVersion, kind, metadata, spec', async (t) => {
  t.same(validateResource(pool()), {
    apiVersion: V3,
    kind: 'IPPool',
    metadata: { name: 'p1' },
    spec: { cidr: '10.0.0.0/16', blockSize: 26 },
  })
  t.equal(validateKind('IPPool', pool()).spec.cidr, '10.0.0.0/16')
  t.same(Object.keys(validateResource(pool())), ['apiVersion', 'kind', 'metadata', 'spec'], 'stable key order')

  expectInvalid(t, () => validateResource('IPPool'), '', 'expected an object')
  expectInvalid(t, () => validateResource([pool()]), '', 'expected an object, got an array')
  expectInvalid(t, () => validateResource(null), '', 'expected an object')
  expectInvalid(t, () => validateResource({ ...pool(), apiVersion: undefined }), 'apiVersion', 'required')
  expectInvalid(t, () => validateResource({ ...pool(), apiVersion: 'v1' }), 'apiVersion', 'v1 manifest')
  expectInvalid(t, () => validateResource({ ...pool(), apiVersion: 'projectcalico.org/v2' }), 'apiVersion', 'must be "projectcalico.org/v3"')
  expectInvalid(t, () => validateResource({ ...pool(), apiVersion: 'crd.projectcalico.org/v1' }), 'apiVersion', 'must be "projectcalico.org/v3"')
  expectInvalid(t, () => validateResource({ ...pool(), kind: undefined }), 'kind', 'required')
  expectInvalid(t, () => validateResource({ ...pool(), kind: 'ippool' }), 'kind', 'did you mean "IPPool"?')
  expectInvalid(t, () => validateResource({ ...pool(), kind: 'FelixConfiguration' }), 'kind', 'unsupported kind')
  expectInvalid(t, () => validateResource({ ...pool(), kind: 7 }), 'kind', 'unsupported kind')
  expectInvalid(t, () => validateKind('Node', pool()), 'kind', 'expected "Node", got the string "IPPool"')
  expectInvalid(t, () => validateKind('IPPool', { ...pool(), apiVersion: 'v1' }), 'apiVersion', 'must be')
  expectInvalid(t, () => validateResource({ ...pool(), specs: {} }), 'specs', 'unknown field (did you mean "spec"?)')
  expectInvalid(t, () => validateResource({ ...pool(), status: {} }), 'status', 'unknown field')
  expectInvalid(t, () => validateResource({ ...pool(), status: null }), 'status', 'unknown field')
  t.same(validateResource({ ...pool(), status: undefined }).spec, { cidr: '10.0.0.0/16', blockSize: 26 }, 'undefined means absent')
  expectInvalid(t, () => validateResource({ ...pool(), spec: 'cidr' }), 'spec', 'expected an object')
  expectInvalid(t, () => validateResource({ apiVersion: V3, kind: 'IPPool', spec: { cidr: '10.0.0.0/16' } }), 'metadata', 'required')
  expectInvalid(t, () => validateResource(doc('IPPool', { cidr: '10.0.0.0/16' }, 'p1' as never)), 'metadata', 'expected an object')
})

t.test('metadata', async (t) => {
  const full = validateResource(
    pool({
      name: 'p1',
      resourceVersion: '1234',
      uid: '6f1a3c1e-0c1f-4f7e-9a40-6b8e3f2d9c11',
      creationTimestamp: '2024-05-01T10:00:00Z',
      labels: { 'kubernetes.io/hostname': 'node1', rack: 'r1', empty: '' },
      annotations: { 'Example.com/Owner': 'team a', note: 'anything at all: "quotes", \\ and\nnewlines' },
      generateName: 'p-',
      finalizers: ['x'],
    }),
  )
  t.same(full.metadata, {
    name: 'p1',
    resourceVersion: '1234',
    uid: '6f1a3c1e-0c1f-4f7e-9a40-6b8e3f2d9c11',
    creationTimestamp: '2024-05-01T10:00:00Z',
    labels: { 'kubernetes.io/hostname': 'node1', rack: 'r1', empty: '' },
    annotations: { 'Example.com/Owner': 'team a', note: 'anything at all: "quotes", \\ and\nnewlines' },
    generateName: 'p-',
    finalizers: ['x'],
  })
  t.equal(validateResource(pool({ name: 'p1', resourceVersion: 99 })).metadata.resourceVersion, '99', 'numeric revision becomes a string')
  t.same(validateResource(pool({ name: 'p1', resourceVersion: '', creationTimestamp: null, uid: '' })).metadata, { name: 'p1' })

  const bad: [Record<string, unknown>, string, string][] = [
    [{}, 'metadata.name', 'required'],
    [{ name: '' }, 'metadata.name', 'required'],
    [{ name: 'Bad_Name' }, 'metadata.name', 'is not a valid name'],
    [{ name: 'a'.repeat(254) }, 'metadata.name', 'at most 253'],
    [{ name: 7 }, 'metadata.name', 'expected a string'],
    [{ nmae: 'p1', name: 'p1' }, 'metadata.nmae', 'unknown field (did you mean "name"?)'],
    [{ name: 'p1', namespace: 'default' }, 'metadata.namespace', 'not namespaced'],
    [{ name: 'p1', labels: { 'Bad/x': 'v' } }, 'metadata.labels["Bad/x"]', 'invalid label key'],
    [{ name: 'p1', labels: { rack: '-r1' } }, 'metadata.labels["rack"]', 'invalid label value'],
    [{ name: 'p1', labels: { rack: 'a'.repeat(64) } }, 'metadata.labels["rack"]', 'at most 63'],
    [{ name: 'p1', labels: { rack: 1 } }, 'metadata.labels["rack"]', 'expected a string'],
    [{ name: 'p1', labels: ['rack'] }, 'metadata.labels', 'expected an object'],
    [{ name: 'p1', annotations: { 'a b': 'v' } }, 'metadata.annotations["a b"]', 'invalid annotation key'],
    [{ name: 'p1', annotations: { note: 1 } }, 'metadata.annotations["note"]', 'expected a string'],
    [{ name: 'p1', annotations: { big: 'x'.repeat(256 * 1024) } }, 'metadata.annotations', 'at most 262144'],
    [{ name: 'p1', resourceVersion: {} }, 'metadata.resourceVersion', 'expected a string'],
    [{ name: 'p1', resourceVersion: -1 }, 'metadata.resourceVersion', 'expected a string'],
    [{ name: 'p1', uid: 5 }, 'metadata.uid', 'expected a string'],
  ]
  for (const [metadata, path, fragment] of bad) {
    expectInvalid(t, () => validateResource(pool(metadata)), path, fragment, JSON.stringify(metadata).slice(0, 80))
  }
})

t.test('returns a canonical deep copy and never mutates its input', async (t) => {
  const input = deepFreeze(
    doc(
      'BGPPeer',
      { peerIP: 'FD99:0::1', asNumber: '1.10', password: { secretKeyRef: { name: 's', key: 'k' } } },
      { name: 'p', labels: { a: 'b' } },
    ),
  )
  const before = JSON.stringify(input)
  const out = validateResource(input)
  t.equal(JSON.stringify(input), before, 'input unchanged')
  t.same(out.spec, { peerIP: 'fd99::1', asNumber: 65546, password: { secretKeyRef: { name: 's', key: 'k' } } })
  t.not(out.metadata, input.metadata)
  t.not(out.metadata.labels, (input.metadata as { labels: unknown }).labels)
  t.not(out.spec, input.spec)
  out.metadata.labels!.a = 'changed'
  t.equal((input.metadata as { labels: { a: string } }).labels.a, 'b')
  t.same(validateResource(out), out, 'validating canonical output is the identity')
})

t.test('JSON keys named __proto__ stay data', async (t) => {
  const raw = JSON.parse(
    '{"apiVersion":"projectcalico.org/v3","kind":"Node","metadata":{"name":"n"},"spec":{"wireguard":{"__proto__":{"polluted":true}}}}',
  ) as unknown
  const out = validateResource(raw)
  const wg = (out.spec as Record<string, unknown>).wireguard as Record<string, unknown>
  t.equal(Object.getPrototypeOf(wg), Object.prototype)
  t.ok(Object.hasOwn(wg, '__proto__'))
  t.equal(({} as Record<string, unknown>).polluted, undefined)
  expectInvalid(t, () => validateResource(JSON.parse('{"apiVersion":"projectcalico.org/v3","kind":"Node","metadata":{"name":"n","labels":{"__proto__":"x"}}}')), 'metadata.labels["__proto__"]', 'invalid label key')
})
