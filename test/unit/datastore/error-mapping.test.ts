import t from 'tap'
import { EndpointCoolingDownError } from '../../../src/datastore/endpoint-breaker.js'
import { toDatastoreError } from '../../../src/datastore/etcd-client.js'
import { UnavailableError } from '../../../src/datastore/errors.js'
import { DEFAULT_DATASTORE_TIMEOUT_MS } from '../../../src/settings/settings.js'

// The per-endpoint breaker fails requests at once while an endpoint keeps failing (an
// etcd restart). It must read as "etcd unreachable", naming the endpoints, like every
// other outage.
t.test('an open circuit breaker maps to UnavailableError naming the endpoints', async (t) => {
  const settings = { type: 'etcdv3' as const, endpoints: ['http://127.0.0.1:1', 'http://127.0.0.1:2'], timeoutMs: DEFAULT_DATASTORE_TIMEOUT_MS }
  const err = toDatastoreError(new EndpointCoolingDownError(4_200), settings)
  t.type(err, UnavailableError)
  t.match(err.message, /cannot reach the etcd datastore at http:\/\/127\.0\.0\.1:1,http:\/\/127\.0\.0\.1:2 within 10s \(the endpoint failed repeatedly just now; calls to it resume in 5s\)/)
})
