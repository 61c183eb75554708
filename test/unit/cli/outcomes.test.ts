import t from 'tap'
import { reportOutcomes } from '../../../src/cli/print/outcomes.js'

t.test('all succeeded, one kind: calicoctl\'s line', async (t) => {
  t.same(reportOutcomes('create', [{ ok: true, kind: 'BGPPeer' }, { ok: true, kind: 'BGPPeer' }]), {
    stdout: "Successfully created 2 'BGPPeer' resource(s)\n",
    stderr: '',
    failures: 0,
  })
  t.equal(reportOutcomes('apply', [{ ok: true, kind: 'Node' }]).stdout, "Successfully applied 1 'Node' resource(s)\n")
  t.equal(reportOutcomes('replace', [{ ok: true, kind: 'IPPool' }]).stdout, "Successfully replaced 1 'IPPool' resource(s)\n")
  t.equal(reportOutcomes('delete', [{ ok: true, kind: 'BGPPeer' }]).stdout, "Successfully deleted 1 'BGPPeer' resource(s)\n")
})

t.test('mixed kinds are counted without a kind', async (t) => {
  t.equal(reportOutcomes('apply', [{ ok: true, kind: 'Node' }, { ok: true, kind: 'BGPPeer' }]).stdout, 'Successfully applied 2 resource(s)\n')
})

t.test('each failure is one line naming the kind and reason; the rest still counts', async (t) => {
  const r = reportOutcomes('create', [
    { ok: false, kind: 'BGPPeer', reason: 'resource already exists: BGPPeer(peer1)' },
    { ok: true, kind: 'BGPPeer' },
    { ok: false, kind: 'IPPool', reason: 'spec.cidr: "10.0.0.0/33" is not a valid CIDR' },
  ])
  t.equal(r.stdout, "Successfully created 1 'BGPPeer' resource(s)\n")
  t.equal(
    r.stderr,
    "Failed to create 'BGPPeer' resource: [resource already exists: BGPPeer(peer1)]\n" +
      "Failed to create 'IPPool' resource: [spec.cidr: \"10.0.0.0/33\" is not a valid CIDR]\n",
  )
  t.equal(r.failures, 2)
})

t.test('nothing succeeded: no success line', async (t) => {
  const r = reportOutcomes('delete', [{ ok: false, kind: 'BGPPeer', reason: 'resource does not exist: BGPPeer(x)' }])
  t.equal(r.stdout, '')
  t.equal(r.stderr, "Failed to delete 'BGPPeer' resource: [resource does not exist: BGPPeer(x)]\n")
})
