import t, { type Test } from 'tap'
import { AlreadyExistsError, AuthenticationError, TlsFileError, UnavailableError } from '../../../src/datastore/errors.js'
import { EtcdStore } from '../../../src/datastore/etcd-store.js'
import { startSyncer } from '../../../src/datastore/syncer.js'
import type { Snapshot } from '../../../src/api/snapshot.js'
import { etcdctl, startEtcd } from '../../helpers/etcd.js'
import { bgpPeer, node } from './fixtures.js'

const etcd = await startEtcd(t, { tls: true, auth: true })

t.test('the harness made a TLS + auth etcd', async (t) => {
  t.match(etcd.endpoint, /^https:\/\/127\.0\.0\.1:\d+$/)
  t.match(etcd.settings, { username: 'root', caCertFile: /ca\.crt$/, certFile: /client\.crt$/, keyFile: /client\.key$/ })
  t.match(etcd.env, { ETCD_ENDPOINTS: etcd.endpoint, ETCD_USERNAME: 'root', ETCD_CA_CERT_FILE: etcd.settings.caCertFile })
  await t.rejects(etcdctl(etcd.endpoint, etcd.tls, 'wrong', ['get', 'x']), /authentication failed/, 'auth is enabled')
  t.equal((await etcd.etcdctl(['get', 'x'])).trim(), '', 'root can read')
})

t.test('CRUD and the syncer work over TLS with password auth', async (t) => {
  const store = await EtcdStore.connect(etcd.settings)
  t.teardown(() => store.close())
  const created = await store.create(node('tls-node'))
  t.equal((await store.get('Node', 'tls-node'))?.metadata.uid, created.metadata.uid)
  await store.update({ ...created, metadata: { ...created.metadata, labels: { tls: 'yes' } } })
  t.equal((await store.list('Node')).length, 1)

  const seen: Snapshot[] = []
  const syncer = startSyncer(store.client, { onSnapshot: (s) => seen.push(s) })
  t.teardown(() => syncer.stop())
  await until(() => seen.some((s) => s.nodes.has('tls-node')))
  await store.create(bgpPeer('tls-peer'))
  await until(() => syncer.current()?.bgpPeers.has('tls-peer') === true)
  await store.delete('Node', 'tls-node')
  await until(() => syncer.current()?.nodes.has('tls-node') === false)
  t.pass('the syncer followed create and delete')

  // etcd forgets its auth tokens on restart: the store and the syncer must log in again.
  await restartAfterOutage()
  await writes(t, store, 'after-restart')
  await until(() => syncer.current()?.nodes.has('after-restart') === true)
  t.pass('store and syncer work again after an etcd restart')
})

// With several endpoints etcd3 keeps a circuit breaker per endpoint; its first call after
// the cool-down carried the forgotten token, and etcd3's retry of it from inside that call
// locked cockatiel's breaker half-open for good (found in CI under load).
t.test('with two endpoints (the same etcd twice) the store writes again after an outage', async (t) => {
  const store = await EtcdStore.connect({ ...etcd.settings, endpoints: [etcd.endpoint, etcd.endpoint] })
  t.teardown(() => store.close())
  // The syncer is what keeps calling while etcd is down, as in the agent.
  const syncer = startSyncer(store.client, { onSnapshot: () => undefined })
  t.teardown(() => syncer.stop())
  await store.create(node('two-endpoints'))
  await until(() => syncer.current()?.nodes.has('two-endpoints') === true)
  await restartAfterOutage()
  await writes(t, store, 'two-endpoints-after-restart')
  await until(() => syncer.current()?.nodes.has('two-endpoints-after-restart') === true)
  t.pass('store and syncer work again after an etcd restart')
})

t.test('a wrong password fails with AuthenticationError', async (t) => {
  const err = await EtcdStore.connect({ ...etcd.settings, password: 'wrong' }).then(
    () => undefined,
    (e: unknown) => e,
  )
  t.type(err, AuthenticationError)
  t.match((err as Error).message, `etcd at ${etcd.endpoint} rejected the credentials of user "root"`)
})

t.test('no client certificate fails with a clear error', async (t) => {
  const { certFile: _c, keyFile: _k, ...withoutClientCert } = etcd.settings
  const err = await EtcdStore.connect({ ...withoutClientCert, timeoutMs: 3_000 }).then(
    () => undefined,
    (e: unknown) => e,
  )
  t.type(err, UnavailableError)
  t.match(
    (err as Error).message,
    `cannot reach the etcd datastore at ${etcd.endpoint} within 3s (TLS with 127.0.0.1:${new URL(etcd.endpoint).port}: the server rejected the client certificate`,
  )
})

t.test('an untrusted server certificate is named as such', async (t) => {
  const { caCertFile: _ca, ...withoutCa } = etcd.settings
  await t.rejects(EtcdStore.connect({ ...withoutCa, timeoutMs: 3_000 }), {
    name: 'UnavailableError',
    message: /the server certificate is not signed by the configured CA/,
  })
})

t.test('a missing TLS file is named', async (t) => {
  await t.rejects(EtcdStore.connect({ ...etcd.settings, caCertFile: '/nonexistent/ca.pem' }), TlsFileError)
  await t.rejects(EtcdStore.connect({ ...etcd.settings, caCertFile: '/nonexistent/ca.pem' }), {
    message: /cannot read the etcd CA certificate file "\/nonexistent\/ca\.pem": ENOENT/,
  })
})

/**
 * etcd down for 3 s, then back: long enough for the clients' calls to fail several times
 * in a row (which opened etcd3's default breaker) and for its cool-down to pass only after
 * etcd answers again, with the old token.
 */
async function restartAfterOutage(): Promise<void> {
  await etcd.kill()
  await new Promise((r) => setTimeout(r, 3_000))
  await etcd.start()
}

/**
 * Creates `name` within 60 s of etcd's return. A create is not idempotent, and its outcome
 * can be unknown: on a loaded machine the first attempts after the restart (token exchange
 * on a new TLS channel, then the txn) can outlast the store's 10 s bound, which gives up
 * on the reply but not the request, so the txn may land afterwards. Every later attempt
 * is then refused with AlreadyExistsError, so "retry the create until it succeeds" could
 * never succeed: the write counts as done once the node is stored, whichever attempt
 * stored it.
 */
async function writes(t: Test, store: EtcdStore, name: string): Promise<void> {
  const failures: string[] = []
  const restarted = Date.now()
  await until(async () => {
    try {
      await store.create(node(name))
      return true
    } catch (e) {
      failures.push(`${((Date.now() - restarted) / 1000).toFixed(1)} s ${(e as Error).name}: ${(e as Error).message}`)
      if (!(e instanceof AlreadyExistsError)) return false
      return (await store.get('Node', name))?.metadata.name === name
    }
  }, 60_000, () => `attempts that failed since the restart:\n${failures.join('\n')}`)
  if (failures.length > 0) t.comment(`attempts that failed while etcd came back:\n${failures.join('\n')}`)
}

async function until(cond: () => boolean | Promise<boolean>, timeoutMs = 60_000, why: () => string = () => ''): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`condition not met in time ${why()}`.trim())
    await new Promise((r) => setTimeout(r, 50))
  }
}
