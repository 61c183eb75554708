import t from 'tap'
import { parseAffinityValue } from '../../../src/api/index.js'
import { expectInvalid } from './helpers.js'

t.test('block affinities from etcd keys and values', async (t) => {
  const cases: [string, string, unknown, { node: string; cidr: string; state: string }][] = [
    ['node1', '10.0.0.0/26', { state: 'confirmed' }, { node: 'node1', cidr: '10.0.0.0/26', state: 'confirmed' }],
    ['node1', '10.0.0.64-26', { state: 'confirmed' }, { node: 'node1', cidr: '10.0.0.64/26', state: 'confirmed' }],
    ['node1', 'fd00:1234::-122', { state: 'pending' }, { node: 'node1', cidr: 'fd00:1234::/122', state: 'pending' }],
    ['node1', 'FD00:1234:0::40-122', { state: 'confirmed' }, { node: 'node1', cidr: 'fd00:1234::40/122', state: 'confirmed' }],
    ['node1', '10.0.0.0/26', '{"state":"pendingDeletion"}', { node: 'node1', cidr: '10.0.0.0/26', state: 'pendingDeletion' }],
    ['node1', '10.0.0.0/26', { state: 'confirmed', deleted: false }, { node: 'node1', cidr: '10.0.0.0/26', state: 'confirmed' }],
    ['node1', '10.0.0.0/26', { state: 'confirmed', deleted: true }, { node: 'node1', cidr: '10.0.0.0/26', state: 'pendingDeletion' }],
    // Values written before affinity states existed.
    ['node1', '10.0.0.0/26', '', { node: 'node1', cidr: '10.0.0.0/26', state: 'confirmed' }],
    ['node1', '10.0.0.0/26', {}, { node: 'node1', cidr: '10.0.0.0/26', state: 'confirmed' }],
    ['node1', '10.0.0.0/26', null, { node: 'node1', cidr: '10.0.0.0/26', state: 'confirmed' }],
    ['node1', '10.0.0.0/26', { state: '' }, { node: 'node1', cidr: '10.0.0.0/26', state: 'confirmed' }],
  ]
  for (const [node, cidr, raw, want] of cases) t.same(parseAffinityValue(node, cidr, raw), want, `${node} ${cidr} ${JSON.stringify(raw)}`)

  const bad: [string, string, unknown, string, string][] = [
    ['Node1', '10.0.0.0/26', { state: 'confirmed' }, 'node', 'not a valid name'],
    ['', '10.0.0.0/26', { state: 'confirmed' }, 'node', 'not a valid name'],
    ['node1', '10.0.0.1/26', { state: 'confirmed' }, 'cidr', 'host bits are set'],
    ['node1', '10.0.0.1-26', { state: 'confirmed' }, 'cidr', 'host bits are set'],
    ['node1', 'garbage', { state: 'confirmed' }, 'cidr', 'is not a CIDR'],
    ['node1', '10.0.0.0/33', { state: 'confirmed' }, 'cidr', 'prefix length'],
    ['node1', '10.0.0.0/26', { state: 'claimed' }, 'value.state', 'must be one of confirmed, pending, pendingDeletion'],
    ['node1', '10.0.0.0/26', '{bad json', 'value', 'not JSON'],
    ['node1', '10.0.0.0/26', { state: 'confirmed', owner: 'x' }, 'value.owner', 'unknown field'],
    ['node1', '10.0.0.0/26', { deleted: 'yes' }, 'value.deleted', 'expected true or false'],
    ['node1', '10.0.0.0/26', [], 'value', 'expected an object'],
    ['node1', '10.0.0.0/26', '"confirmed"', 'value', 'expected an object'],
  ]
  for (const [node, cidr, raw, path, fragment] of bad) {
    expectInvalid(t, () => parseAffinityValue(node, cidr, raw), path, fragment, `${node} ${cidr} ${JSON.stringify(raw)}`)
  }
})
