import t from 'tap'
import { createRequire } from 'node:module'
import { toDatastoreError } from '../../../src/datastore/etcd-client.js'
import { UnavailableError } from '../../../src/datastore/errors.js'
import { DEFAULT_DATASTORE_TIMEOUT_MS } from '../../../src/settings/settings.js'

// etcd3's own circuit breaker (cockatiel) fails requests at once while an endpoint keeps
// failing; seen in CI during an etcd restart. It must read as "etcd unreachable", naming
// the endpoints, like every other outage.
const require = createRequire(import.meta.url)
const { BrokenCircuitError } = require(require.resolve('cockatiel', { paths: [require.resolve('etcd3')] })) as {
  BrokenCircuitError: new () => Error
}

t.test('an open circuit breaker maps to UnavailableError naming the endpoints', async (t) => {
  const settings = { type: 'etcdv3' as const, endpoints: ['http://127.0.0.1:1'], timeoutMs: DEFAULT_DATASTORE_TIMEOUT_MS }
  const err = toDatastoreError(new BrokenCircuitError(), settings)
  t.type(err, UnavailableError)
  t.match(err.message, /cannot reach the etcd datastore at http:\/\/127\.0\.0\.1:1/)
})
