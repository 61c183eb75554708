import t, { type Test } from 'tap'
import type { AnyResource, ResourceKind, ResourceOfKind } from '../../../src/api/types.js'
import { labelInStore, parseLabelRequest } from '../../../src/cli/label.js'
import { parsePatchRequest, patchInStore } from '../../../src/cli/patch.js'
import { EtcdStore } from '../../../src/datastore/etcd-store.js'
import type { ResourceStore } from '../../../src/datastore/store.js'
import { cliEnv } from './env.js'

// `falconer label` and `falconer patch` against a real etcd: calicoctl's messages, the
// same validation as apply (an invalid result is refused and nothing is written), and a
// compare-and-swap write that never loses a concurrent change.

t.setTimeout(600_000)
const { cli, etcd, stored } = await cliEnv(t)
const store = await EtcdStore.connect(etcd.settings)
t.teardown(() => store.close())

const NODES = '/calico/resources/v3/projectcalico.org/nodes/'

async function modRevision(key: string): Promise<number> {
  const out = JSON.parse(await etcd.etcdctl(['get', key, '-w', 'json'])) as { kvs?: { mod_revision: number }[] }
  return out.kvs?.[0]?.mod_revision ?? 0
}

async function node(t: Test, name: string, labels?: Record<string, string>): Promise<void> {
  const meta = labels === undefined ? `{name: ${name}}` : `{name: ${name}, labels: ${JSON.stringify(labels)}}`
  const r = await cli(['apply', '-f', '-'], { input: `apiVersion: projectcalico.org/v3\nkind: Node\nmetadata: ${meta}\nspec: {bgp: {ipv4Address: 10.99.70.1/24}}\n` })
  t.equal(r.code, 0, r.stderr)
}

function failsWith(t: Test, r: { code: number; stdout: string; stderr: string }, line: string, what: string): void {
  t.same([r.code, r.stdout, r.stderr], [1, '', `${line}\n`], what)
}

const labelsOf = async (name: string) => ((await stored('nodes', name))?.metadata as { labels?: Record<string, string> }).labels

t.test('label: set, same value, refuse without --overwrite, overwrite, remove', async (t) => {
  await node(t, 'lp-1')
  t.same(await cli(['label', 'nodes', 'lp-1', 'cluster=frontend']).then((r) => [r.code, r.stdout, r.stderr]), [0, 'Successfully set label cluster on nodes lp-1\n', ''])
  t.same(await labelsOf('lp-1'), { cluster: 'frontend' })
  t.equal((await cli(['label', 'nodes', 'lp-1', 'cluster=frontend'])).stdout, 'Successfully updated label cluster on nodes lp-1\n', 'same value: no --overwrite needed')

  const before = await modRevision(`${NODES}lp-1`)
  failsWith(t, await cli(['label', 'nodes', 'lp-1', 'cluster=backend']), "Failed to execute command: failed to update label of nodes lp-1, key cluster is already present. please use '--overwrite' to set a new value.", 'existing key')
  t.equal(await modRevision(`${NODES}lp-1`), before, 'nothing written')

  t.equal((await cli(['label', 'no', 'lp-1', 'cluster=backend', '--overwrite'])).stdout, 'Successfully updated label cluster on no lp-1\n')
  t.same(await labelsOf('lp-1'), { cluster: 'backend' })

  failsWith(t, await cli(['label', 'node', 'lp-1', 'rack', '--remove']), 'Failed to execute command: cannot remove label of node lp-1, key rack does not exist', 'absent key')
  t.equal((await cli(['label', 'node', 'lp-1', 'cluster', '--remove'])).stdout, 'Successfully removed label cluster from node lp-1\n')
  t.equal(await labelsOf('lp-1'), undefined, 'the last label removed: no labels field')
})

t.test('label: other kinds, and what is refused before or after reading', async (t) => {
  t.equal((await cli(['apply', '-f', '-'], { input: 'apiVersion: projectcalico.org/v3\nkind: BGPPeer\nmetadata: {name: lp-peer}\nspec: {peerIP: 10.99.70.9, asNumber: 65001}\n' })).code, 0)
  t.equal((await cli(['label', 'bgppeers', 'lp-peer', 'tier=tor'])).code, 0)
  t.same(((await stored('bgppeers', 'lp-peer'))?.metadata as { labels?: unknown }).labels, { tier: 'tor' })

  await node(t, 'lp-2')
  const before = await modRevision(`${NODES}lp-2`)
  const cases: [string[], string][] = [
    [['label', 'nodes', 'lp-none', 'a=b'], 'Failed to execute command: nodes lp-none not found'],
    [['label', 'policies', 'x', 'a=b'], "Failed to execute command: resource type 'policies' is not supported"],
    [['label', 'wep', 'x', 'a=b'], 'Failed to execute command: workload endpoints are managed by the orchestrator and are read-only in falconer'],
    [['label', 'nodes', 'lp-2', 'a=b=c'], 'Failed to execute command: invalid label a=b=c (expected key=value, or key with --remove)'],
    [['label', 'nodes', 'lp-2', 'a'], 'Failed to execute command: invalid label a (expected key=value, or key with --remove)'],
    [['label', 'nodes', 'lp-2', 'a', '--remove', '--overwrite'], 'Failed to execute command: --overwrite cannot be used with --remove'],
    [['label', 'nodes', 'lp-2', 'a=b', '--remove'], "Failed to execute command: --remove takes a label key, not key=value ('a=b')"],
    [['label', 'nodes', 'lp-2', 'bad key=v'], /^Failed to execute command: nodes lp-2: metadata\.labels\["bad key"\]: invalid label key: / as unknown as string],
    [['label', 'nodes', 'lp-2', `k=${'v'.repeat(64)}`], /^Failed to execute command: nodes lp-2: metadata\.labels\["k"\]: / as unknown as string],
  ]
  for (const [args, expected] of cases) {
    const r = await cli(args)
    t.equal(r.code, 1, args.join(' '))
    t.equal(r.stdout, '', args.join(' '))
    if (typeof expected === 'string') t.equal(r.stderr, `${expected}\n`, args.join(' '))
    else t.match(r.stderr, expected, args.join(' '))
    t.equal(r.stderr.split('\n').length, 2, `${args.join(' ')}: one line`)
  }
  t.equal(await modRevision(`${NODES}lp-2`), before, 'nothing written')
})

t.test('patch: strategic (default), merge and json', async (t) => {
  await node(t, 'lp-3', { keep: 'me' })
  const strategic = await cli(['patch', 'node', 'lp-3', '-p', '{"spec":{"bgp": {"routeReflectorClusterID": "224.0.0.1", "asNumber": 65010}}}'])
  t.same([strategic.code, strategic.stdout, strategic.stderr], [0, "Successfully patched 1 'Node' resource\n", ''])
  let v = await stored('nodes', 'lp-3')
  t.same(v?.spec, { bgp: { ipv4Address: '10.99.70.1/24', routeReflectorClusterID: '224.0.0.1', asNumber: 65010 } })
  t.same((v?.metadata as { labels?: unknown }).labels, { keep: 'me' }, 'untouched fields stay')

  // YAML, and a null removes a field.
  t.equal((await cli(['patch', 'nodes', 'lp-3', '--type', 'merge', '-p', 'spec: {bgp: {routeReflectorClusterID: null}}\nmetadata: {labels: {ready: yes}}'])).code, 0)
  v = await stored('nodes', 'lp-3')
  t.same(v?.spec, { bgp: { ipv4Address: '10.99.70.1/24', asNumber: 65010 } })
  t.same((v?.metadata as { labels?: unknown }).labels, { keep: 'me', ready: 'true' }, 'a label read as calicoctl reads it')

  const json = await cli(['patch', 'node', 'lp-3', '-t', 'json', '-p', '[{"op":"test","path":"/spec/bgp/asNumber","value":65010},{"op":"replace","path":"/spec/bgp/asNumber","value":65011},{"op":"remove","path":"/metadata/labels/keep"}]'])
  t.equal(json.code, 0, json.stderr)
  v = await stored('nodes', 'lp-3')
  t.equal((v?.spec as { bgp: { asNumber: number } }).bgp.asNumber, 65011)
  t.same((v?.metadata as { labels?: unknown }).labels, { ready: 'true' })
})

t.test('patch: an invalid result is refused naming the field, and nothing is written', async (t) => {
  await node(t, 'lp-4')
  const key = `${NODES}lp-4`
  const before = await modRevision(key)
  const cases: [string[], string][] = [
    [['-p', '{"spec":{"bgp":{"asNumber":"sixty"}}}'], 'Failed to execute command: Node(lp-4): spec.bgp.asNumber: "sixty" is not an AS number (expected e.g. 64512 or asdot 1.10)'],
    [['-p', '{"spec":{"bgp":{"ipv4Address":"10.99.70.300/24"}}}'], 'Failed to execute command: Node(lp-4): spec.bgp.ipv4Address: '],
    [['-p', '{"spec":{"bgp":{"colour":"blue"}}}'], 'Failed to execute command: Node(lp-4): spec.bgp.colour: '],
    [['-p', '{"metadata":{"name":"lp-other"}}'], 'Failed to execute command: Node(lp-4): metadata.name: cannot be changed by a patch ("lp-4" → "lp-other")'],
    [['-p', '{"kind":"BGPPeer"}'], 'Failed to execute command: Node(lp-4): kind: cannot be changed by a patch ("Node" → "BGPPeer")'],
    [['-t', 'json', '-p', '[{"op":"test","path":"/spec/bgp/ipv4Address","value":"10.0.0.1/8"},{"op":"remove","path":"/spec"}]'], 'Failed to execute command: Node(lp-4): operation 1 (test /spec/bgp/ipv4Address): test failed: the value is "10.99.70.1/24"'],
    [['-t', 'json', '-p', '[{"op":"remove","path":"/spec/bgp/nope"}]'], 'Failed to execute command: Node(lp-4): operation 1 (remove /spec/bgp/nope): path does not exist (no "nope")'],
    [['-p', '{"spec": {'], 'Failed to execute command: error processing the patch: yaml: line 1: '],
    [['-p', '[1]'], 'Failed to execute command: Node(lp-4): a strategic merge patch must be an object, got a list'],
    [['-t', 'xml', '-p', '{}'], 'Failed to execute command: --type xml: expected one of strategic, merge, json'],
  ]
  for (const [args, expected] of cases) {
    const r = await cli(['patch', 'node', 'lp-4', ...args])
    t.equal(r.code, 1, args.join(' '))
    t.equal(r.stdout, '', args.join(' '))
    t.ok(r.stderr.startsWith(expected), `${args.join(' ')}: ${r.stderr}`)
    t.equal(r.stderr.split('\n').length, 2, `${args.join(' ')}: one line`)
  }
  t.equal(await modRevision(key), before, 'nothing written')
  failsWith(t, await cli(['patch', 'node', 'lp-none', '-p', '{}']), 'Failed to execute command: resource does not exist: Node(lp-none)', 'missing resource')
  failsWith(t, await cli(['patch', 'wep', 'x', '-p', '{}']), 'Failed to execute command: workload endpoints are managed by the orchestrator and are read-only in falconer', 'read-only kind')
})

/**
 * The real store, with another writer that changes the resource right after each of the
 * first `times` reads: the write that follows that read is then stale.
 */
function racingStore(inner: ResourceStore, times: number, write: (attempt: number) => Promise<void>): ResourceStore & { reads: number } {
  const s = {
    reads: 0,
    get: async <K extends ResourceKind>(kind: K, name: string, namespace?: string): Promise<ResourceOfKind<K> | undefined> => {
      const r = await inner.get(kind, name, namespace)
      s.reads++
      if (s.reads <= times) await write(s.reads)
      return r
    },
    list: inner.list.bind(inner),
    create: inner.create.bind(inner),
    update: <R extends AnyResource>(r: R) => inner.update(r),
    apply: inner.apply.bind(inner),
    delete: inner.delete.bind(inner),
    close: () => inner.close(),
  }
  return s
}

/** Another client's label write, straight into etcd (read, change, put). */
async function otherWriter(name: string, key: string, value: string): Promise<void> {
  const current = JSON.parse(await etcd.etcdctl(['get', `${NODES}${name}`, '--print-value-only'])) as { metadata: { labels?: Record<string, string> } }
  current.metadata.labels = { ...current.metadata.labels, [key]: value }
  await etcd.etcdctl(['put', `${NODES}${name}`, JSON.stringify(current)])
}

t.test('label and patch keep a concurrent write (compare-and-swap, then again on the fresh value)', async (t) => {
  await node(t, 'lp-5')
  const labelStore = racingStore(store, 2, (n) => otherWriter('lp-5', `other${n}`, 'x'))
  t.equal(await labelInStore(labelStore, parseLabelRequest('nodes', 'lp-5', 'mine=y', {})), 'set')
  t.equal(labelStore.reads, 3, 'two stale writes were refused, the third attempt wrote')
  t.same(await labelsOf('lp-5'), { other1: 'x', other2: 'x', mine: 'y' }, 'nothing lost')

  const patchStore = racingStore(store, 1, () => otherWriter('lp-5', 'other3', 'x'))
  await patchInStore(patchStore, parsePatchRequest('node', 'lp-5', { patch: '{"spec":{"bgp":{"asNumber":65020}}}', type: 'strategic' }))
  t.equal(patchStore.reads, 2)
  const v = await stored('nodes', 'lp-5')
  t.same((v?.metadata as { labels?: unknown }).labels, { other1: 'x', other2: 'x', mine: 'y', other3: 'x' }, 'the concurrent label is kept')
  t.equal((v?.spec as { bgp: { asNumber: number } }).bgp.asNumber, 65020, 'and the patch applied on top')
})

t.test("label's checks run again on the fresh value", async (t) => {
  await node(t, 'lp-6')
  // Someone sets the same key to another value between our read and our write.
  const racing = racingStore(store, 1, () => otherWriter('lp-6', 'cluster', 'theirs'))
  await t.rejects(labelInStore(racing, parseLabelRequest('nodes', 'lp-6', 'cluster=mine', {})), {
    message: "failed to update label of nodes lp-6, key cluster is already present. please use '--overwrite' to set a new value.",
  })
  t.same(await labelsOf('lp-6'), { cluster: 'theirs' }, 'their value stands')
})

t.test('every command fails in the one error style', async (t) => {
  // One line, calicoctl's prefix: "Failed to get resources:" for get, "Failed to execute command:" otherwise.
  const cases: string[][] = [
    ['get', 'foo'], ['get'], ['get', 'nodes', '-o', 'table'], ['get', 'bgpPeer', '--scope=rack'], ['get', 'node', 'nope'],
    ['delete', 'foo', 'bar'], ['create'], ['apply', '-f', '/nonexistent.yaml'], ['replace', '-f', '-'],
    ['label', 'nodes'], ['patch', 'node', 'x'], ['config', 'set', 'asNumber', 'sixty'], ['config', 'get', 'ipip'],
    ['node', 'show', '--bogus'], ['node', 'status', '-o', 'xml'], ['node', 'bgp', 'peer', 'add', '10.99.7.3', 'as'],
    ['node', 'bgp', 'peer', 'show', '--node', 'a', '--name', 'b'], ['ipam', 'release'], ['convert', '-f', 'x'],
    ['node', 'autodetect', '--method', 'bogus'], ['get', 'nodes', '--datastore-timeout', 'soon'], ['bogus-command'],
  ]
  for (const args of cases) {
    const r = await cli(args)
    const prefix = args[0] === 'get' ? 'Failed to get resources: ' : 'Failed to execute command: '
    t.not(r.code, 0, `${args.join(' ')}: exit status`)
    t.ok(r.stderr.startsWith(prefix), `${args.join(' ')}: ${r.stderr.trim()}`)
    t.equal(r.stderr.split('\n').length, 2, `${args.join(' ')}: one line`)
  }
})
