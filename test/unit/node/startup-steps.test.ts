import t from 'tap'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { IPPool, Node } from '../../../src/api/types.js'
import { enableForwarding, ForwardingError } from '../../../src/node/forwarding.js'
import { candidatePools } from '../../../src/node/startup/block-affinity.js'
import { changeLines, checkAddressConflicts, conflictLine } from '../../../src/node/startup/conflicts.js'
import { planDefaultPools, randomUlaPrefix } from '../../../src/node/startup/default-pools.js'
import { decideAsNumber, mergeNode } from '../../../src/node/startup/register-node.js'

const node = (name: string, bgp?: Node['spec']['bgp'], labels?: Record<string, string>): Node => ({
  apiVersion: 'projectcalico.org/v3',
  kind: 'Node',
  metadata: { name, ...(labels && { labels }) },
  spec: bgp ? { bgp } : {},
})

const pool = (name: string, cidr: string, extra: Partial<IPPool['spec']> = {}): IPPool => ({
  apiVersion: 'projectcalico.org/v3',
  kind: 'IPPool',
  metadata: { name },
  spec: { cidr, ...extra },
})

t.test('address conflicts name the other node; our own change is a warning', async (t) => {
  const nodes = [
    node('n1', { ipv4Address: '10.99.0.5/24' }),
    node('other', { ipv4Address: '10.99.0.2/24', ipv6Address: 'fd99::2/64' }),
    node('bare'),
  ]
  const check = checkAddressConflicts('n1', { ipv4: '10.99.0.2/16', ipv6: 'fd99:0::2/64' }, nodes)
  t.same(check.conflicts, [
    { family: 4, ip: '10.99.0.2', otherNode: 'other' },
    { family: 6, ip: 'fd99::2', otherNode: 'other' },
  ])
  t.same(check.changes, [{ family: 4, from: '10.99.0.5', to: '10.99.0.2' }])
  t.equal(conflictLine(check.conflicts[0]!), "Calico node 'other' is already using the IPv4 address 10.99.0.2.")
  t.same(changeLines('n1', check.changes[0]!), [
    "WARNING: Calico node 'n1' IPv4 address has changed:",
    ' -  This could happen if multiple nodes are configured with the same name',
    ' -  Original IP: 10.99.0.5',
    ' -  Updated IP: 10.99.0.2',
  ])
  t.same(checkAddressConflicts('n1', { ipv4: '10.99.0.5/24' }, nodes), { conflicts: [], changes: [] })
})

t.test('mergeNode keeps what the operator set and writes only our fields', async (t) => {
  const existing: Node = {
    apiVersion: 'projectcalico.org/v3',
    kind: 'Node',
    metadata: { name: 'n1', resourceVersion: '42', labels: { rack: 'r1' }, annotations: { a: 'b' } },
    spec: { bgp: { ipv4Address: '10.99.0.5/24', asNumber: 65001, routeReflectorClusterID: '224.0.0.1' } },
  }
  t.same(mergeNode(existing, 'n1', { ipv4Address: '10.99.0.2/24', ipv6Address: undefined, asNumber: 'keep' }), {
    ...existing,
    spec: { bgp: { ipv4Address: '10.99.0.2/24', asNumber: 65001, routeReflectorClusterID: '224.0.0.1' } },
  })
  t.same(mergeNode(existing, 'n1', { ipv4Address: '10.99.0.2/24', ipv6Address: 'fd99::2/64', asNumber: 64512 }).spec.bgp, {
    ipv4Address: '10.99.0.2/24', ipv6Address: 'fd99::2/64', asNumber: 64512, routeReflectorClusterID: '224.0.0.1',
  })
  t.equal(existing.spec.bgp?.ipv4Address, '10.99.0.5/24', 'the input is not modified')
  t.same(mergeNode(undefined, 'new', { ipv4Address: undefined, ipv6Address: undefined, asNumber: 'keep' }), {
    apiVersion: 'projectcalico.org/v3', kind: 'Node', metadata: { name: 'new' }, spec: {},
  }, 'an empty bgp section is left out, as Calico does')
})

t.test('AS number: requested, stored, or inherited', async (t) => {
  t.same(decideAsNumber({ value: 64513, from: '--as' }, 65000), { asNumber: 64513, line: 'Using AS number specified in --as=64513' })
  t.same(decideAsNumber({ value: 64513, from: 'AS' }, undefined), { asNumber: 64513, line: 'Using AS number specified in environment: AS=64513' })
  t.same(decideAsNumber(undefined, 65000), { asNumber: 'keep', line: 'Using AS number configured in node resource: 65000' })
  t.same(decideAsNumber(undefined, undefined), { asNumber: 'keep', line: 'Using global AS number' })
})

t.test('default pools: only for a family without any pool', async (t) => {
  const ula = () => 'fd12:3456:789a::/48'
  const both = planDefaultPools([], { create: true }, true, ula)
  t.same(both, [
    {
      apiVersion: 'projectcalico.org/v3', kind: 'IPPool', metadata: { name: 'default-ipv4-ippool' },
      spec: { cidr: '192.168.0.0/16', blockSize: 26, ipipMode: 'Never', vxlanMode: 'Never', natOutgoing: true, nodeSelector: 'all()' },
    },
    {
      apiVersion: 'projectcalico.org/v3', kind: 'IPPool', metadata: { name: 'default-ipv6-ippool' },
      spec: { cidr: 'fd12:3456:789a::/48', blockSize: 122, ipipMode: 'Never', vxlanMode: 'Never', nodeSelector: 'all()' },
    },
  ])
  t.same(planDefaultPools([pool('mine', '10.98.0.0/16', { disabled: true })], { create: true }, true, ula).map((p) => p.metadata.name),
    ['default-ipv6-ippool'], 'any IPv4 pool, even disabled, suppresses the IPv4 default')
  t.same(planDefaultPools([], { create: true, ipv4Cidr: '10.98.0.0/16', ipv6Cidr: 'fd98::/48' }, false, ula).map((p) => p.spec.cidr),
    ['10.98.0.0/16'], 'no IPv6 pool on a kernel without IPv6')
  t.same(planDefaultPools([], { create: false }, true, ula), [])
})

t.test('random ULA prefixes are fd00::/8 /48s, printed the way Go prints them', async (t) => {
  t.equal(randomUlaPrefix(() => Buffer.from([0x12, 0x34, 0x56, 0x78, 0x9a])), 'fd12:3456:789a::/48')
  t.equal(randomUlaPrefix(() => Buffer.from([0x00, 0x00, 0x00, 0x00, 0x01])), 'fd00:0:1::/48')
  t.equal(randomUlaPrefix(() => Buffer.from([0x00, 0x00, 0x00, 0x00, 0x00])), 'fd00::/48')
  const seen = new Set(Array.from({ length: 20 }, () => randomUlaPrefix()))
  t.ok(seen.size > 1, 'really random')
  for (const p of seen) t.match(p, /^fd[0-9a-f]{2}(:[0-9a-f]{1,4}){0,2}::\/48$/)
})

t.test('block candidates: enabled pools of the family that select the node, by name', async (t) => {
  const n = node('n1', undefined, { rack: 'r1' })
  const pools = [
    pool('z-v4', '10.97.0.0/16'),
    pool('a-v4', '10.98.0.0/16', { nodeSelector: "rack == 'r1'" }),
    pool('off', '10.96.0.0/16', { disabled: true }),
    pool('elsewhere', '10.95.0.0/16', { nodeSelector: "rack == 'r2'" }),
    pool('broken', '10.94.0.0/16', { nodeSelector: 'rack ==' }),
    pool('v6', 'fd98::/48', { nodeSelector: 'all()' }),
  ]
  t.same(candidatePools(pools, 4, n).map((p) => p.metadata.name), ['a-v4', 'z-v4'])
  t.same(candidatePools(pools, 6, n).map((p) => p.metadata.name), ['v6'])
})

t.test('forwarding writes 1 to both sysctls; IPv6 only where the kernel has it', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'falconer-fwd-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  await mkdir(join(dir, 'ipv4'), { recursive: true })
  await writeFile(join(dir, 'ipv4', 'ip_forward'), '0')
  const lines: string[] = []
  t.same(await enableForwarding((l) => lines.push(l), dir), { ipv4: true, ipv6: false })
  t.same(lines, ['Enabling IPv4 forwarding'])
  t.equal(await readFile(join(dir, 'ipv4', 'ip_forward'), 'utf8'), '1')

  await mkdir(join(dir, 'ipv6', 'conf', 'all'), { recursive: true })
  await writeFile(join(dir, 'ipv6', 'conf', 'all', 'forwarding'), '0')
  lines.length = 0
  t.same(await enableForwarding((l) => lines.push(l), dir), { ipv4: true, ipv6: true })
  t.same(lines, ['Enabling IPv4 forwarding', 'Enabling IPv6 forwarding'])
  t.equal(await readFile(join(dir, 'ipv6', 'conf', 'all', 'forwarding'), 'utf8'), '1')

  await t.rejects(enableForwarding(() => undefined, join(dir, 'missing')), ForwardingError)
})
