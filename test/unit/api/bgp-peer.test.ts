import t from 'tap'
import { validateKind } from '../../../src/api/index.js'
import { doc, expectInvalid } from './helpers.js'

const peer = (spec: unknown, name = 'peer1'): Record<string, unknown> => doc('BGPPeer', spec, { name })
const base = { peerIP: '10.99.0.1', asNumber: 64512 }

t.test('valid peers are canonicalised', async (t) => {
  const cases: [unknown, unknown][] = [
    [base, base],
    [{ peerIP: '10.99.0.1:1790', asNumber: 64512 }, { peerIP: '10.99.0.1:1790', asNumber: 64512 }],
    [{ peerIP: 'FD99:0::1', asNumber: '64512' }, { peerIP: 'fd99::1', asNumber: 64512 }],
    [{ peerIP: '[FD99::0001]:1790', asNumber: '1.10' }, { peerIP: '[fd99::1]:1790', asNumber: 65546 }],
    [{ ...base, node: 'node1' }, { node: 'node1', ...base }],
    [{ ...base, nodeSelector: "rack == 'r1'" }, { nodeSelector: "rack == 'r1'", ...base }],
    [{ peerSelector: 'has(route-reflector)' }, { peerSelector: 'has(route-reflector)' }],
    [{ peerSelector: 'has(rr)', nodeSelector: '!has(rr)' }, { nodeSelector: '!has(rr)', peerSelector: 'has(rr)' }],
    [{ ...base, node: '', nodeSelector: '' }, base],
    [{ ...base, password: { secretKeyRef: { name: 'bgp-secrets', key: 'rr.password' } } },
      { ...base, password: { secretKeyRef: { name: 'bgp-secrets', key: 'rr.password' } } }],
    [{ ...base, password: { secretKeyRef: { name: 'bgp-secrets', key: 'rr_Password-1', optional: true } } },
      { ...base, password: { secretKeyRef: { name: 'bgp-secrets', key: 'rr_Password-1', optional: true } } }],
    [{ ...base, keepOriginalNextHop: true, sourceAddress: 'None' }, { ...base, keepOriginalNextHop: true, sourceAddress: 'None' }],
    [{ ...base, sourceAddress: 'UseNodeIP' }, { ...base, sourceAddress: 'UseNodeIP' }],
    [{ ...base, maxRestartTime: '120s' }, { ...base, maxRestartTime: '2m0s' }],
    [{ ...base, maxRestartTime: '0s' }, { ...base, maxRestartTime: '0s' }],
    [{ ...base, ttlSecurity: 0, numAllowedLocalASNumbers: 0 }, { ...base, ttlSecurity: 0, numAllowedLocalASNumbers: 0 }],
    [{ ...base, ttlSecurity: 255, numAllowedLocalASNumbers: 10 }, { ...base, ttlSecurity: 255, numAllowedLocalASNumbers: 10 }],
    // Newer Calico fields at their default values mean "nothing special" and are dropped.
    [{ ...base, filters: [], restartMode: 'GracefulRestart', failureDetectionMode: 'None', birdGatewayMode: 'Recursive',
      reachableBy: '', localWorkloadSelector: '', keepaliveTime: null }, { ...base, filters: [] }],
    // Current-Calico fields falconer renders.
    [{ peerIP: '10.99.0.1' }, { peerIP: '10.99.0.1' }],
    [{ ...base, localASNumber: '1.10', nextHopMode: 'Self', reversePeering: 'Manual', reachableBy: '10.99.0.254', filters: ['a', 'b.c'] },
      { ...base, localASNumber: 65546, nextHopMode: 'Self', reversePeering: 'Manual', reachableBy: '10.99.0.254', filters: ['a', 'b.c'] }],
    [{ peerIP: '[fd99::1]:1790', reachableBy: 'FD99::FE', nextHopMode: 'Keep' }, { peerIP: '[fd99::1]:1790', nextHopMode: 'Keep', reachableBy: 'fd99::fe' }],
  ]
  for (const [spec, want] of cases) t.same(validateKind('BGPPeer', peer(spec)).spec, want, JSON.stringify(spec))
})

t.test('invalid peers name the field and the reason', async (t) => {
  const cases: [unknown, string, string][] = [
    [{ asNumber: 64512 }, 'spec.peerIP', 'exactly one of peerIP and peerSelector must be set (neither is)'],
    [{}, 'spec.peerIP', 'neither is'],
    [undefined, 'spec.peerIP', 'neither is'],
    [{ peerIP: '10.99.0.1', peerSelector: 'has(rr)', asNumber: 1 }, 'spec.peerIP', '(both are)'],
    [{ ...base, node: 'node1', nodeSelector: 'all()' }, 'spec.node', 'must not be set together with nodeSelector'],
    [{ peerSelector: 'has(rr)', asNumber: 64512 }, 'spec.asNumber', 'must not be set with peerSelector'],
    [{ ...base, peerIP: '10.99.0.1:0' }, 'spec.peerIP', 'port must be between 1 and 65535'],
    [{ ...base, peerIP: '10.99.0.1:65536' }, 'spec.peerIP', 'port must be between 1 and 65535'],
    [{ ...base, peerIP: '010.99.0.1' }, 'spec.peerIP', 'leading zeros'],
    [{ ...base, peerIP: '[fd99::1]' }, 'spec.peerIP', 'brackets'],
    [{ ...base, peerIP: 'fe80::1%eth0' }, 'spec.peerIP', 'zone'],
    [{ ...base, peerIP: 'router.example' }, 'spec.peerIP', 'not a valid IPv4'],
    [{ ...base, peerIP: 10 }, 'spec.peerIP', 'expected a string'],
    [{ ...base, asNumber: 4294967296 }, 'spec.asNumber', 'between 1 and 4294967295'],
    [{ ...base, asNumber: 0 }, 'spec.asNumber', 'between 1 and 4294967295'],
    [{ ...base, asNumber: '1.65536' }, 'spec.asNumber', 'asdot halves'],
    [{ ...base, asNumber: 'AS64512' }, 'spec.asNumber', 'is not an AS number'],
    [{ ...base, node: 'Node_1' }, 'spec.node', 'is not a valid name'],
    [{ ...base, nodeSelector: 'rack ==' }, 'spec.nodeSelector', 'invalid selector: column 8: expected a quoted string'],
    [{ peerSelector: 'has(' }, 'spec.peerSelector', 'invalid selector: column 5: expected a label'],
    [{ peerSelector: 7 }, 'spec.peerSelector', 'expected a string'],
    [{ ...base, sourceAddress: 'UseNodeIp' }, 'spec.sourceAddress', 'must be one of UseNodeIP, None'],
    [{ ...base, keepOriginalNextHop: 'true' }, 'spec.keepOriginalNextHop', 'expected true or false'],
    [{ ...base, maxRestartTime: '120' }, 'spec.maxRestartTime', 'missing unit'],
    [{ ...base, maxRestartTime: 120 }, 'spec.maxRestartTime', 'expected a string'],
    [{ ...base, maxRestartTime: '2h' }, 'spec.maxRestartTime', 'at most 4095s'],
    [{ ...base, maxRestartTime: '-1s' }, 'spec.maxRestartTime', 'must not be negative'],
    [{ ...base, ttlSecurity: 256 }, 'spec.ttlSecurity', 'between 0 and 255'],
    [{ ...base, ttlSecurity: -1 }, 'spec.ttlSecurity', 'between 0 and 255'],
    [{ ...base, ttlSecurity: 1.5 }, 'spec.ttlSecurity', 'expected an integer'],
    [{ ...base, ttlSecurity: '5' }, 'spec.ttlSecurity', 'expected an integer'],
    [{ ...base, numAllowedLocalASNumbers: 11 }, 'spec.numAllowedLocalASNumbers', 'between 0 and 10'],
    [{ ...base, numAllowedLocalASNumbers: -1 }, 'spec.numAllowedLocalASNumbers', 'between 0 and 10'],
    [{ ...base, password: 'plaintext' }, 'spec.password', 'expected an object'],
    [{ ...base, password: {} }, 'spec.password.secretKeyRef', 'required'],
    [{ ...base, password: { secretKeyRef: { name: 'Bad', key: 'k' } } }, 'spec.password.secretKeyRef.name', 'is not a valid name'],
    [{ ...base, password: { secretKeyRef: { key: 'k' } } }, 'spec.password.secretKeyRef.name', 'required'],
    [{ ...base, password: { secretKeyRef: { name: 's', key: 'a/b' } } }, 'spec.password.secretKeyRef.key', 'not a valid secret key'],
    [{ ...base, password: { secretKeyRef: { name: 's', key: 'a b' } } }, 'spec.password.secretKeyRef.key', 'not a valid secret key'],
    [{ ...base, password: { secretKeyRef: { name: 's', key: '' } } }, 'spec.password.secretKeyRef.key', 'required'],
    [{ ...base, password: { secretKeyRef: { name: 's', key: 'k', namespace: 'x' } } }, 'spec.password.secretKeyRef.namespace', 'unknown field'],
    [{ ...base, password: { secretKeyRef: { name: 's', key: 'k', optional: 'no' } } }, 'spec.password.secretKeyRef.optional', 'expected true or false'],
    [{ ...base, password: { secretKeyRef: { name: 's', key: 'k' }, value: 'x' } }, 'spec.password.value', 'unknown field'],
    [{ peerIp: '10.0.0.1', asNumber: 1 }, 'spec.peerIp', 'unknown field (did you mean "peerIP"?)'],
    [{ ...base, asnumber: 1 }, 'spec.asnumber', 'did you mean "asNumber"?'],
    [{ ...base, ASNumber: 1 }, 'spec.ASNumber', 'did you mean "asNumber"?'],
    [{ ...base, keepOriginalNexthop: true }, 'spec.keepOriginalNexthop', 'did you mean "keepOriginalNextHop"?'],
    [{ ...base, frobnicate: true }, 'spec.frobnicate', 'unknown field'],
    [{ ...base, filters: ['Bad_Name'] }, 'spec.filters[0]', ''],
    [{ ...base, filters: ['a', 'a'] }, 'spec.filters[1]', 'listed twice'],
    [{ ...base, keepaliveTime: '30s' }, 'spec.keepaliveTime', 'not supported by falconer'],
    [{ ...base, failureDetectionMode: 'BFDIfDirectlyConnected' }, 'spec.failureDetectionMode', 'not supported by falconer'],
    [{ ...base, restartMode: 'LongLivedGracefulRestart' }, 'spec.restartMode', 'not supported by BIRD 1.6'],
    [{ ...base, birdGatewayMode: 'DirectIfDirectlyReachable' }, 'spec.birdGatewayMode', 'not supported by falconer'],
    [{ peerSelector: 'all()', reachableBy: '10.99.0.254' }, 'spec.reachableBy', 'requires peerIP'],
    [{ ...base, reachableBy: 'fd99::fe' }, 'spec.reachableBy', 'same address family'],
    [{ ...base, reachableBy: '0.0.0.0' }, 'spec.reachableBy', ''],
    [{ ...base, localWorkloadSelector: 'app == "x"' }, 'spec.localWorkloadSelector', 'not supported by falconer'],
    [{ ...base, nextHopMode: 'Next' }, 'spec.nextHopMode', 'must be one of Auto, Self, Keep'],
    [{ ...base, nextHopMode: 'Self', keepOriginalNextHop: true }, 'spec.nextHopMode', 'keepOriginalNextHop'],
    [{ ...base, reversePeering: 'Sometimes' }, 'spec.reversePeering', 'must be one of Auto, Manual'],
    [{ ...base, localASNumber: 0 }, 'spec.localASNumber', ''],
  ]
  for (const [spec, path, fragment] of cases) {
    expectInvalid(t, () => validateKind('BGPPeer', peer(spec)), path, fragment, JSON.stringify(spec))
  }
  expectInvalid(t, () => validateKind('BGPPeer', peer(base, 'Peer1')), 'metadata.name', 'not a valid name')
})
