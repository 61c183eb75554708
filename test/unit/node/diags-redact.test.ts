import t from 'tap'
import { REDACTED, redactText, redactValue } from '../../../src/node/diags/redact.js'

t.test('BIRD passwords in configs and log lines', async (t) => {
  const cfg = 'protocol bgp Node_10_99_0_3 {\n  password "s3cr\\"et";\n  neighbor 10.99.0.3 as 65003;\n}\n'
  t.equal(redactText(cfg), `protocol bgp Node_10_99_0_3 {\n  password "${REDACTED}";\n  neighbor 10.99.0.3 as 65003;\n}\n`)
  t.equal(redactText('bird: /etc/calico/confd/config/bird.cfg:12:3 syntax error near password "hunter2"'), `bird: /etc/calico/confd/config/bird.cfg:12:3 syntax error near password "${REDACTED}"`)
  t.equal(redactText('no secrets here'), 'no secrets here')
})

t.test('credential fields of resources; secretKeyRef (where a secret lives) stays', async (t) => {
  const peer = {
    kind: 'BGPPeer',
    metadata: { name: 'p' },
    spec: { peerIP: '10.99.0.3', password: { secretKeyRef: { name: 'bgp', key: 'p' } }, token: 'abc', nested: [{ etcdPassword: 'x' }] },
  }
  t.same(redactValue(peer), {
    kind: 'BGPPeer',
    metadata: { name: 'p' },
    spec: { peerIP: '10.99.0.3', password: { secretKeyRef: { name: 'bgp', key: 'p' } }, token: REDACTED, nested: [{ etcdPassword: REDACTED }] },
  })
  t.same(redactValue({ spec: { password: 'inline' } }), { spec: { password: REDACTED } })
})
