import t from 'tap'
import { validateKind } from '../../../src/api/index.js'
import { doc, expectInvalid } from './helpers.js'

const cns = (spec: unknown, status?: unknown): Record<string, unknown> => ({
  ...doc('CalicoNodeStatus', spec, { name: 'node1-status' }),
  ...(status === undefined ? {} : { status }),
})

t.test('CalicoNodeStatus', async (t) => {
  t.same(validateKind('CalicoNodeStatus', cns({ node: 'node1', classes: ['Agent', 'BGP', 'Routes'], updatePeriodSeconds: 10 })).spec,
    { node: 'node1', classes: ['Agent', 'BGP', 'Routes'], updatePeriodSeconds: 10 })
  t.same(validateKind('CalicoNodeStatus', cns({ node: 'node1', classes: [] })).spec, { node: 'node1', classes: [] })
  t.equal(validateKind('CalicoNodeStatus', cns({ node: 'n', classes: ['BGP'], updatePeriodSeconds: 0 })).spec.updatePeriodSeconds, 0)
  t.equal(validateKind('CalicoNodeStatus', cns({ node: 'n', classes: ['BGP'], updatePeriodSeconds: 86400 })).spec.updatePeriodSeconds, 86400)
  const status = {
    lastUpdated: '2024-05-01T10:00:00Z',
    agent: { birdV4: { state: 'Ready', version: 'v1.6.8', routerID: '10.99.0.2', lastBootTime: '2024-05-01 09:00:00', lastReconfigurationTime: '2024-05-01 09:30:00' } },
    bgp: { numberEstablishedV4: 1, numberEstablishedV6: 0, numberNotEstablishedV4: 0, numberNotEstablishedV6: 0,
      peersV4: [{ peerIP: '10.99.0.3', type: 'NodeMesh', state: 'Established', since: '09:00:05' }] },
    routes: { routesV4: [{ type: 'FIB', destination: '192.168.1.0/26', gateway: '10.99.0.3', interface: 'eth0', learnedFrom: { sourceType: 'NodeMesh', peerIP: '10.99.0.3' } }] },
  }
  t.same(validateKind('CalicoNodeStatus', cns({ node: 'node1', classes: ['Agent'] }, status)).status, status)

  const cases: [unknown, string, string][] = [
    [{ classes: ['BGP'] }, 'spec.node', 'required'],
    [{ node: 'Node1', classes: ['BGP'] }, 'spec.node', 'not a valid name'],
    [{ node: 'node1' }, 'spec.classes', 'required'],
    [{ node: 'node1', classes: 'BGP' }, 'spec.classes', 'expected a list'],
    [{ node: 'node1', classes: ['Agent', 'Agent'] }, 'spec.classes[1]', 'duplicate class "Agent"'],
    [{ node: 'node1', classes: ['agent'] }, 'spec.classes[0]', 'must be one of Agent, BGP, Routes'],
    [{ node: 'node1', classes: ['BGP', 'Peers'] }, 'spec.classes[1]', 'must be one of Agent, BGP, Routes'],
    [{ node: 'node1', classes: ['BGP'], updatePeriodSeconds: 86401 }, 'spec.updatePeriodSeconds', 'between 0 and 86400'],
    [{ node: 'node1', classes: ['BGP'], updatePeriodSeconds: -1 }, 'spec.updatePeriodSeconds', 'between 0 and 86400'],
    [{ node: 'node1', classes: ['BGP'], updatePeriodSeconds: 1.5 }, 'spec.updatePeriodSeconds', 'expected an integer'],
    [{ node: 'node1', classes: ['BGP'], updatePeriod: 10 }, 'spec.updatePeriod', 'unknown field'],
  ]
  for (const [spec, path, fragment] of cases) {
    expectInvalid(t, () => validateKind('CalicoNodeStatus', cns(spec)), path, fragment, JSON.stringify(spec))
  }
  expectInvalid(t, () => validateKind('CalicoNodeStatus', cns({ node: 'n', classes: [] }, { peers: [] })), 'status.peers', 'unknown field')
  expectInvalid(t, () => validateKind('CalicoNodeStatus', cns({ node: 'n', classes: [] }, 'ok')), 'status', 'expected an object')
})

const wep = (spec: unknown, metadata: Record<string, unknown> = { name: 'node1-k8s-nginx-eth0', namespace: 'default' }): Record<string, unknown> =>
  doc('WorkloadEndpoint', spec, metadata)

t.test('WorkloadEndpoint (read-only: spec.node matters)', async (t) => {
  const out = validateKind('WorkloadEndpoint', wep({ node: 'node1', ipNetworks: ['192.168.1.5', 'FD00::0005/128'], interfaceName: 'cali1234567890a', profiles: ['kns.default'] }))
  t.same(out.spec, { node: 'node1', interfaceName: 'cali1234567890a', ipNetworks: ['192.168.1.5/32', 'fd00::5/128'], profiles: ['kns.default'] })
  t.equal(out.metadata.namespace, 'default')

  const cases: [unknown, Record<string, unknown> | undefined, string, string][] = [
    [{ node: 'node1' }, { name: 'w' }, 'metadata.namespace', 'required'],
    [{ node: 'node1' }, { name: 'w', namespace: 'Bad_NS' }, 'metadata.namespace', 'not a valid DNS label'],
    [{ node: 'node1' }, { name: 'w', namespace: 'a.b' }, 'metadata.namespace', 'not a valid DNS label'],
    [{}, undefined, 'spec.node', 'required'],
    [{ node: 'Node1' }, undefined, 'spec.node', 'not a valid name'],
    [{ node: 'node1', ipNetworks: ['192.168.1.5/32', '192.168.1.256/32'] }, undefined, 'spec.ipNetworks[1]', 'octet 256'],
    [{ node: 'node1', ipNetworks: '192.168.1.5/32' }, undefined, 'spec.ipNetworks', 'expected a list'],
    [{ node: 'node1', orchestrator: 5 }, undefined, 'spec.orchestrator', 'expected a string'],
    [{ node: 'node1', nodeName: 'x' }, undefined, 'spec.nodeName', 'unknown field'],
  ]
  for (const [spec, metadata, path, fragment] of cases) {
    expectInvalid(t, () => validateKind('WorkloadEndpoint', wep(spec, metadata)), path, fragment, JSON.stringify(spec))
  }
})
