import t, { type Test } from 'tap'
import { applyPatch, PatchError } from '../../../src/api/patch.js'

/** The patch fails with a PatchError at `where` whose reason matches. */
function fails(t: Test, fn: () => unknown, where: string | undefined, reason: string | RegExp | undefined, label?: string): void {
  const what = label ?? where ?? 'patch'
  try {
    fn()
    t.fail(`${what}: expected a PatchError`)
  } catch (err) {
    t.type(err, PatchError, what)
    if (where !== undefined) t.equal((err as PatchError).where, where, what)
    if (reason !== undefined) t.match((err as PatchError).reason, reason, what)
  }
}

t.test('merge: the examples of RFC 7386 appendix A', async (t) => {
  const cases: [unknown, unknown, unknown][] = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ]
  for (const [target, patch, result] of cases) {
    t.same(applyPatch('merge', target, patch), result, JSON.stringify(patch))
  }
  // Top-level non-objects replace the target in the RFC; a resource patch must be an object.
  t.throws(() => applyPatch('merge', { a: 1 }, ['c']), new PatchError('', 'a merge patch must be an object, got a list'))
})

t.test('the target is never modified', async (t) => {
  const target = { metadata: { labels: { a: '1' } }, spec: { list: [1, 2] } }
  const before = JSON.stringify(target)
  applyPatch('merge', target, { metadata: { labels: { a: null, b: '2' } } })
  applyPatch('strategic', target, { spec: { $retainKeys: [] } })
  applyPatch('json', target, [{ op: 'remove', path: '/spec/list/0' }])
  t.equal(JSON.stringify(target), before)
})

t.test('strategic: RFC 7386 for the fields falconer supports, plus the directives', async (t) => {
  const node = { kind: 'Node', metadata: { name: 'n1', labels: { a: '1', b: '2' } }, spec: { bgp: { ipv4Address: '10.0.0.1/24', asNumber: 65001 }, addresses: [{ address: 'x' }] } }
  t.same(applyPatch('strategic', node, { spec: { bgp: { asNumber: null, routeReflectorClusterID: '1.2.3.4' } } }), {
    kind: 'Node',
    metadata: { name: 'n1', labels: { a: '1', b: '2' } },
    spec: { bgp: { ipv4Address: '10.0.0.1/24', routeReflectorClusterID: '1.2.3.4' }, addresses: [{ address: 'x' }] },
  })
  t.same((applyPatch('strategic', node, { spec: { addresses: [{ address: 'y' }] } }) as typeof node).spec.addresses, [{ address: 'y' }], 'lists are replaced whole')
  t.same((applyPatch('strategic', node, { metadata: { labels: { $patch: 'replace', c: '3' } } }) as typeof node).metadata.labels, { c: '3' }, '$patch: replace')
  t.same((applyPatch('strategic', node, { metadata: { labels: { $patch: 'delete' } } }) as typeof node).metadata, { name: 'n1' }, '$patch: delete')
  t.same((applyPatch('strategic', node, { metadata: { labels: { $retainKeys: ['b'], c: '3' } } }) as typeof node).metadata.labels, { b: '2', c: '3' }, '$retainKeys')
  const cfg = { spec: { ignoredInterfaces: ['a', 'b', 'c'] } }
  t.same(applyPatch('strategic', cfg, { spec: { '$deleteFromPrimitiveList/ignoredInterfaces': ['b', 'z'] } }), { spec: { ignoredInterfaces: ['a', 'c'] } }, '$deleteFromPrimitiveList')
  fails(t, () => applyPatch('strategic', cfg, { spec: { '$setElementOrder/ignoredInterfaces': ['c'] } }), 'spec.$setElementOrder/ignoredInterfaces', /^not supported: it orders lists merged by key/)
  fails(t, () => applyPatch('strategic', cfg, { spec: { $bogus: 1 } }), 'spec.$bogus', 'not supported: unknown directive')
  fails(t, () => applyPatch('strategic', cfg, { spec: { $patch: 'sideways' } }), 'spec.$patch', undefined)
  fails(t, () => applyPatch('strategic', cfg, { spec: { ignoredInterfaces: [{ $patch: 'delete' }] } }), 'spec.ignoredInterfaces[0]', undefined)
})

t.test('json: RFC 6902 operations', async (t) => {
  const doc = { spec: { asNumber: 65001, list: ['a', 'b'] }, metadata: { labels: { 'a/b': 'x', 'c~d': 'y' } } }
  t.same(
    applyPatch('json', doc, [
      { op: 'replace', path: '/spec/asNumber', value: 65002 },
      { op: 'add', path: '/spec/list/-', value: 'c' },
      { op: 'add', path: '/spec/list/0', value: 'z' },
      { op: 'remove', path: '/spec/list/1' },
      { op: 'remove', path: '/metadata/labels/a~1b' },
      { op: 'copy', from: '/metadata/labels/c~0d', path: '/metadata/labels/e' },
      { op: 'move', from: '/spec/asNumber', path: '/spec/as' },
      { op: 'test', path: '/spec/list', value: ['z', 'b', 'c'] },
    ]),
    { spec: { list: ['z', 'b', 'c'], as: 65002 }, metadata: { labels: { 'c~d': 'y', e: 'y' } } },
  )
  const failing: [unknown, string, string | RegExp][] = [
    [{ op: 'test', path: '/spec/asNumber', value: 1 }, 'operation 1 (test /spec/asNumber)', 'test failed: the value is 65001'],
    [{ op: 'remove', path: '/spec/nope' }, 'operation 1 (remove /spec/nope)', 'path does not exist (no "nope")'],
    [{ op: 'replace', path: '/spec/nope', value: 1 }, 'operation 1 (replace /spec/nope)', 'path does not exist (no "nope")'],
    [{ op: 'add', path: '/spec/list/5', value: 1 }, 'operation 1 (add /spec/list/5)', 'index 5 is out of range (the list has 2)'],
    [{ op: 'add', path: '/x/y', value: 1 }, 'operation 1 (add /x/y)', 'path does not exist (no "x")'],
    [{ op: 'add', path: 'spec', value: 1 }, 'operation 1 (add)', /must start with "\/"/],
    [{ op: 'add', path: '/spec/a' }, 'operation 1 (add /spec/a)', '"value" is required'],
    [{ op: 'frob', path: '/spec' }, 'operation 1', /^op must be one of add, remove, replace, move, copy, test/],
    [{ op: 'move', from: '/spec', path: '/spec/x' }, 'operation 1 (move /spec/x)', 'cannot move a value into itself'],
  ]
  for (const [op, where, reason] of failing) fails(t, () => applyPatch('json', doc, [op]), where, reason, JSON.stringify(op))
  fails(t, () => applyPatch('json', doc, { op: 'add' }), undefined, /must be a list of operations/)
  // A failed test anywhere fails the whole patch: nothing of it is applied (the caller gets an error, not a partial result).
  fails(t, () => applyPatch('json', doc, [{ op: 'remove', path: '/spec/list' }, { op: 'test', path: '/spec/asNumber', value: 0 }]), 'operation 2 (test /spec/asNumber)', undefined)
})

t.test('a key named __proto__ is an ordinary key', async (t) => {
  const out = applyPatch('merge', {}, JSON.parse('{"__proto__": {"polluted": true}}')) as Record<string, unknown>
  t.equal(({} as Record<string, unknown>).polluted, undefined)
  t.same(Object.keys(out), ['__proto__'])
})
