import t from 'tap'
import { chmodSync, chownSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { neededSecretRefs, readSecrets } from '../../../src/bgp/secrets.js'
import { silentLogger } from '../../../src/log.js'
import { bgpConfig, node, peer, snapshot } from './builders.js'

t.test('neededSecretRefs: the mesh password and the passwords of peers that apply to this node', async (t) => {
  const ref = (name: string, key: string) => ({ secretKeyRef: { name, key } })
  const s = snapshot({
    nodes: [node('a', { v4: '10.99.0.1/24', labels: { rack: 'r1' } }), node('b', { v4: '10.99.0.2/24' })],
    configs: [bgpConfig('default', { nodeMeshPassword: ref('mesh', 'password') })],
    peers: [
      peer('global', { peerIP: '10.99.0.254', asNumber: 65001, password: ref('tor', 'global') }),
      peer('for-a', { node: 'a', peerIP: '10.99.0.253', asNumber: 65001, password: ref('tor', 'a') }),
      peer('for-b', { node: 'b', peerIP: '10.99.0.252', asNumber: 65001, password: ref('tor', 'b') }),
      peer('for-r1', { nodeSelector: "rack == 'r1'", peerIP: '10.99.0.251', asNumber: 65001, password: ref('tor', 'r1') }),
      peer('same-secret', { peerIP: '10.99.0.250', asNumber: 65001, password: ref('tor', 'global') }),
      peer('no-password', { peerIP: '10.99.0.249', asNumber: 65001 }),
    ],
  })
  t.same(neededSecretRefs(s, 'a'), [
    { name: 'mesh', key: 'password' },
    { name: 'tor', key: 'a' },
    { name: 'tor', key: 'global' },
    { name: 'tor', key: 'r1' },
  ])
  t.same(neededSecretRefs(s, 'b'), [
    { name: 'mesh', key: 'password' },
    { name: 'tor', key: 'b' },
    { name: 'tor', key: 'global' },
  ])
})

t.test('readSecrets', async (t) => {
  const dir = t.testdir({
    tor: { good: 'Pa55word\n', crlf: 'abc\r\n', open: 'x', quote: 'a"b', long: 'x'.repeat(81), empty: '', sub: {} },
  })
  for (const f of ['good', 'crlf', 'quote', 'long', 'empty']) chmodSync(join(dir, 'tor', f), 0o600)
  chmodSync(join(dir, 'tor', 'open'), 0o640)
  mkdirSync(join(dir, 'k8s'))
  writeFileSync(join(dir, 'k8s', '..data-password'), 'linked', { mode: 0o400 })
  symlinkSync('..data-password', join(dir, 'k8s', 'password'))

  const refs = ['good', 'crlf', 'open', 'quote', 'long', 'empty', 'sub', 'absent'].map((key) => ({ name: 'tor', key }))
  const { secrets, problems } = await readSecrets(
    dir,
    [...refs, { name: 'k8s', key: 'password' }, { name: '..', key: 'etc' }],
    silentLogger,
  )
  t.same([...secrets], [
    ['tor/good', 'Pa55word'],
    ['tor/crlf', 'abc'],
  ])
  const byKey = new Map(problems.map((p) => [p.key.slice(dir.length + 1), p]))
  t.match(byKey.get('tor/open'), { field: 'mode', reason: /0640.*group or others/ })
  t.match(byKey.get('tor/quote'), { field: 'value' })
  t.match(byKey.get('tor/long'), { field: 'value' })
  t.match(byKey.get('tor/empty'), { field: 'value' })
  t.match(byKey.get('tor/sub'), { field: 'file', reason: 'not a regular file' })
  t.match(byKey.get('tor/absent'), { field: 'file', reason: 'no such file' })
  t.match(byKey.get('k8s/password'), { field: 'file', reason: /is a symlink; secret files are not followed through symlinks/ }, 'a symlink is refused, not followed')
  t.equal(problems.length, 8, 'every refused secret is reported once')
  t.ok(problems.some((p) => p.field === 'path'), 'a name that would leave the secrets directory is refused')
})

t.test('readSecrets: a secret owned by another user is refused, naming the owner', async (t) => {
  const dir = t.testdir({ tor: { theirs: 'Pa55word', ours: 'Pa55word' } })
  for (const f of ['theirs', 'ours']) chmodSync(join(dir, 'tor', f), 0o600)
  chownSync(join(dir, 'tor', 'theirs'), 65534, 0)
  const { secrets, problems } = await readSecrets(dir, [{ name: 'tor', key: 'theirs' }, { name: 'tor', key: 'ours' }], silentLogger)
  t.same([...secrets.keys()], ['tor/ours'])
  t.match(problems, [{ key: join(dir, 'tor', 'theirs'), field: 'owner', reason: /^owned by uid 65534; must be owned by root/ }])
})

t.test('readSecrets: group-readable is refused even when owned by root', async (t) => {
  const dir = t.testdir({ tor: { group: 'Pa55word' } })
  chmodSync(join(dir, 'tor', 'group'), 0o640)
  const { secrets, problems } = await readSecrets(dir, [{ name: 'tor', key: 'group' }], silentLogger)
  t.equal(secrets.size, 0)
  t.match(problems, [{ field: 'mode', reason: 'mode 0640 lets group or others read it; chmod 0600 (or 0400)' }])
})
