import { createServer, type Socket } from 'node:net'
import t, { type Test } from 'tap'
import { UnavailableError } from '../../../src/datastore/errors.js'
import { EtcdStore } from '../../../src/datastore/etcd-store.js'
import type { DatastoreSettings } from '../../../src/settings/settings.js'
import { freePort } from '../../helpers/etcd.js'

/**
 * No etcd here on purpose: the bound must hold against a closed port and against a peer
 * that accepts the connection and then says nothing (where only a deadline helps).
 */

const TIMEOUT_MS = 1_500
// Generous slack for a loaded machine; without the bound these would take 30 s or hang.
const SLACK_MS = 4_000

const settingsFor = (endpoints: string[]): DatastoreSettings => ({ type: 'etcdv3', endpoints, timeoutMs: TIMEOUT_MS })

async function expectUnavailable(t: Test, endpoints: string[]) {
  const started = Date.now()
  const err = await EtcdStore.connect(settingsFor(endpoints)).then(
    (s) => {
      void s.close()
      return undefined
    },
    (e: unknown) => e,
  )
  const elapsed = Date.now() - started
  t.type(err, UnavailableError)
  t.match(err, { endpoints, timeoutMs: TIMEOUT_MS })
  t.match((err as Error).message, `cannot reach the etcd datastore at ${endpoints.join(',')} within 1.5s`)
  t.ok(elapsed < TIMEOUT_MS + SLACK_MS, `failed after ${elapsed} ms`)
}

t.test('a closed port fails fast with UnavailableError naming the endpoint', async (t) => {
  const port = await freePort()
  await expectUnavailable(t, [`http://127.0.0.1:${port}`])
})

t.test('a silent peer fails within the configured bound', async (t) => {
  const sockets = new Set<Socket>()
  const server = createServer((s) => {
    sockets.add(s)
    s.on('error', () => undefined)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  t.teardown(() => {
    for (const s of sockets) s.destroy()
    server.close()
  })
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  await expectUnavailable(t, [`http://127.0.0.1:${port}`])
  t.ok(sockets.size > 0, 'the client did connect: only the deadline ended the wait')
})

t.test('with several unreachable endpoints the error names them all', async (t) => {
  const port = await freePort()
  const endpoints = [`http://127.0.0.1:${port}`, `http://127.0.0.1:${await freePort()}`]
  await expectUnavailable(t, endpoints)
})
