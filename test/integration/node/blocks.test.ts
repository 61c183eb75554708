/**
 * Many nodes starting at once against one real etcd: the default pool is created once,
 * every node gets its own block (compare-and-swap in the store), and a restart of all of
 * them keeps every node on its block. Startup runs in-process here (the CLI path is in
 * run.test.ts); only the kernel-facing steps are pointed at test stand-ins: the interface
 * list is fixed and forwarding writes to a directory of the test's own.
 */
import t, { type Test } from 'tap'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { EtcdStore } from '../../../src/datastore/etcd-store.js'
import { enableForwarding } from '../../../src/node/forwarding.js'
import { parseIpAddrJson } from '../../../src/node/interfaces.js'
import { resolveNodeRunConfig } from '../../../src/node/startup/run-config.js'
import { runStartup, type StartupDeps, type StartupResult } from '../../../src/node/startup/startup.js'
import { startEtcd, type EtcdHandle } from '../../helpers/etcd.js'
import { etcdJson, etcdKeys } from './run-helpers.js'

const COUNT = 20

async function fakeProcSysNet(t: Test): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'falconer-sysnet-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  await mkdir(join(dir, 'ipv4'), { recursive: true })
  await mkdir(join(dir, 'ipv6/conf/all'), { recursive: true })
  await writeFile(join(dir, 'ipv4/ip_forward'), '0')
  await writeFile(join(dir, 'ipv6/conf/all/forwarding'), '0')
  return dir
}

function deps(etcd: EtcdHandle, sysNet: string, i: number): StartupDeps {
  const ifaces = parseIpAddrJson(JSON.stringify([
    { ifindex: 2, ifname: 'eth0', flags: ['UP', 'LOWER_UP'], operstate: 'UP', addr_info: [
      { family: 'inet', local: `10.99.2.${i + 1}`, prefixlen: 24 },
      { family: 'inet6', local: `fd99::2:${i + 1}`, prefixlen: 64 },
    ] },
  ]))
  return {
    openStore: () => EtcdStore.connect(etcd.settings),
    listInterfaces: async () => ifaces,
    autodetect: async () => {
      throw new Error('explicit addresses: autodetection must not run')
    },
    enableForwarding: (say) => enableForwarding(say, sysNet),
    hostname: 'unused',
  }
}

async function startAll(etcd: EtcdHandle, sysNet: string, dir: string): Promise<{ results: StartupResult[]; output: string[][] }> {
  const output: string[][] = Array.from({ length: COUNT }, () => [])
  const results = await Promise.all(
    Array.from({ length: COUNT }, (_, i) => {
      const config = resolveNodeRunConfig({ name: `node-${i}`, ip: `10.99.2.${i + 1}`, ip6: `fd99::2:${i + 1}`, runtime: 'none' }, {
        CALICO_IPV6POOL_CIDR: 'fd99:100::/112',
      })
      return runStartup(
        { config, nodenameFile: join(dir, `node-${i}`, 'nodename'), endpoints: etcd.settings.endpoints },
        deps(etcd, sysNet, i),
        (line) => output[i]!.push(line),
      )
    }),
  )
  return { results, output }
}

t.test(`${COUNT} nodes start at once: one default pool per family, ${COUNT} distinct blocks, kept across a restart`, async (t) => {
  const etcd = await startEtcd(t)
  const sysNet = await fakeProcSysNet(t)
  const dir = await mkdtemp(join(tmpdir(), 'falconer-blocks-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))

  const first = await startAll(etcd, sysNet, dir)
  const v4 = first.results.map((r) => r.blocks.ipv4)
  const v6 = first.results.map((r) => r.blocks.ipv6)
  t.equal(new Set(v4).size, COUNT, 'distinct IPv4 blocks')
  t.equal(new Set(v6).size, COUNT, 'distinct IPv6 blocks')
  t.ok(v4.every((b) => b !== undefined && /^192\.168\.\d+\.\d+\/26$/.test(b)), 'all IPv4 blocks are /26s of the default pool')
  t.ok(v6.every((b) => b !== undefined && /^fd99:100::[0-9a-f]*\/122$/.test(b)), 'all IPv6 blocks are /122s of CALICO_IPV6POOL_CIDR')

  t.same(await etcdKeys(etcd, '/calico/resources/v3/projectcalico.org/ippools/'), [
    '/calico/resources/v3/projectcalico.org/ippools/default-ipv4-ippool',
    '/calico/resources/v3/projectcalico.org/ippools/default-ipv6-ippool',
  ])
  t.equal(first.results.reduce((n, r) => n + r.poolsCreated.length, 0), 2, 'each default pool was created by exactly one node')

  const affinities = await etcdKeys(etcd, '/calico/ipam/v2/host/')
  t.equal(affinities.length, 2 * COUNT, 'one affinity per node and family, nothing more')
  for (let i = 0; i < COUNT; i++) {
    const key = `/calico/ipam/v2/host/node-${i}/ipv4/block/${v4[i]!.replace('/', '-')}`
    t.ok(affinities.includes(key), `${key} is stored`)
  }
  t.equal((await etcdKeys(etcd, '/calico/ipam/v2/assignment/ipv4/block/')).length, COUNT)

  const again = await startAll(etcd, sysNet, dir)
  t.same(again.results.map((r) => r.blocks), first.results.map((r) => r.blocks), 'every node keeps its blocks')
  for (let i = 0; i < COUNT; i++) {
    t.ok(again.output[i]!.includes(`Using IPv4 block ${v4[i]} (already affine to this node)`), `node-${i} reuses ${v4[i]}`)
  }
  t.same(await etcdKeys(etcd, '/calico/ipam/v2/host/'), affinities, 'no new affinities')
  t.match(await etcdJson(etcd, '/calico/resources/v3/projectcalico.org/nodes/node-7'), {
    spec: { bgp: { ipv4Address: '10.99.2.8/24', ipv6Address: 'fd99::2:8/64' } },
  })
})
