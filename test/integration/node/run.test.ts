/**
 * `falconer node run` as an operator runs it: the built CLI as a process, inside a network
 * namespace of its own (forwarding and interface checks happen there), against a real etcd.
 */
import t from 'tap'
import { execFileSync } from 'node:child_process'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { AGENT_NODE_FLAGS } from '../../../src/node/startup/launch-plan.js'
import { ensureBuilt, runCli } from '../../helpers/cli.js'
import { startEtcd } from '../../helpers/etcd.js'
import { createNetns, exec, pollUntil, removeStaleNamespaces, spawnInNetns } from '../../helpers/netns.js'
import {
  BIN, NETNS_PREFIX, etcdJson, etcdKeys, falconerIn, lines, modRevision, nodeNamespace, tempPrefix,
} from './run-helpers.js'

const NODES = '/calico/resources/v3/projectcalico.org/nodes/'
const POOLS = '/calico/resources/v3/projectcalico.org/ippools/'
const UID = /^[0-9a-f-]{36}$/
const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/

t.before(async () => {
  await removeStaleNamespaces(NETNS_PREFIX)
  await ensureBuilt()
})

t.test('--dryrun prints exactly what would start, and touches nothing', async (t) => {
  const etcd = await startEtcd(t)
  const prefix = await tempPrefix(t)
  const path = '/usr/bin:/bin'
  const node = execFileSync('node', ['-p', 'process.execPath'], { env: { PATH: path } }).toString().trim()
  const env = { ...etcd.env, PATH: path }
  const r = await runCli(['node', 'run', '--dryrun', '--name', 'n1', '--ip', '10.99.1.2', '--prefix', prefix], { env })
  t.equal(r.code, 0, r.stderr)
  t.equal(r.stderr, '')
  t.equal(
    r.stdout,
    [
      'Use the following command to start the falconer agent:',
      '',
      `setsid env -i PATH=${path} DATASTORE_TYPE=etcdv3 ETCD_ENDPOINTS=${etcd.endpoint} ${node} ${AGENT_NODE_FLAGS.join(' ')} ${BIN} node run --init-system ` +
        `--prefix=${prefix} --node=n1 --ip=10.99.1.2 --backend=bird >>${prefix}/var/log/calico/falconer.log 2>&1 </dev/null &`,
      '',
      'If you are running falconer in an init system, use the --init-system flag',
      'to display the appropriate start and stop commands.',
      '',
    ].join('\n'),
  )

  const init = await runCli(
    ['node', 'run', '--dryrun', '--init-system', '--name', 'n1', '--ip', 'autodetect', '--no-default-ippools', '--prefix', prefix],
    { env: { ...env, AS: '64513', IP_AUTODETECTION_METHOD: 'interface=eth0' } },
  )
  t.equal(init.code, 0, init.stderr)
  t.equal(
    init.stdout,
    [
      'Use the following command to start the falconer agent:',
      '',
      `env -i PATH=${path} DATASTORE_TYPE=etcdv3 ETCD_ENDPOINTS=${etcd.endpoint} ${node} ${AGENT_NODE_FLAGS.join(' ')} ${BIN} node run --init-system ` +
        `--prefix=${prefix} --node=n1 --ip=autodetect --ip-autodetection-method=interface=eth0 --as=64513 --backend=bird --no-default-ippools`,
      '',
      'Use the following command to stop the falconer agent:',
      '',
      `kill -TERM "$(cat ${prefix}/var/run/calico/falconer.pid)"`,
      '',
      '',
    ].join('\n'),
  )

  t.same(await readdir(prefix), [], 'no file or directory was created under the prefix')
  t.same(await etcdKeys(etcd, '/'), [], 'nothing was written to etcd')
})

t.test('refused flags exit 1 with one clear line', async (t) => {
  for (const [args, message] of [
    [['--node-image=calico/node:v3'], 'falconer runs without Docker: --node-image is not supported'],
    [['--libnetwork'], 'falconer runs without Docker: --libnetwork is not supported'],
    [['--no-pull'], 'falconer runs without Docker: --no-pull is not supported'],
    [['--disable-docker-networking'], 'falconer runs without Docker: --disable-docker-networking is not supported'],
    [['--backend=frr'], "--backend: unknown backend 'frr' (expected bird, gobgp or none)"],
  ] as const) {
    const r = await runCli(['node', 'run', ...args, '--dryrun'])
    t.equal(r.code, 1, args.join(' '))
    t.equal(r.stderr, `Failed to execute command: ${message}\n`)
    t.equal(r.stdout, '')
  }
})

t.test('--runtime=none registers the node: Node JSON, default pools, a block, nodename file, forwarding', async (t) => {
  const etcd = await startEtcd(t)
  const { ns, endpoint } = await nodeNamespace(t, etcd, ['10.99.1.2/24'])
  const prefix = await tempPrefix(t)
  const args = ['node', 'run', '--runtime=none', '--ip', '10.99.1.2', '--name', 'n1', '--prefix', prefix]

  const r = await falconerIn(ns, endpoint, args)
  t.equal(r.exitCode, 0, r.stderr)
  const out = lines(r.stdout)
  const v6pool = out.find((l) => l.startsWith('Created default IPv6 pool'))
  const ula = /^Created default IPv6 pool \((fd[0-9a-f:]+::\/48)\) with NAT outgoing disabled$/.exec(v6pool ?? '')?.[1]
  t.ok(ula, `a random ULA /48 IPv6 pool (${v6pool})`)
  t.same(out, [
    'Enabling IPv4 forwarding',
    'Enabling IPv6 forwarding',
    'Waiting for etcd connection...',
    'Connected to etcd',
    "Building new node resource for 'n1'",
    'Using IPv4 address from --ip=10.99.1.2',
    'IPv4 address 10.99.1.2 discovered on interface eth0',
    'No IPv6 address configured',
    'Using global AS number',
    'Created default IPv4 pool (192.168.0.0/16) with NAT outgoing enabled',
    v6pool,
    'Claimed IPv4 block 192.168.0.0/26 from pool default-ipv4-ippool',
    'Using node name: n1',
    "Calico node 'n1' registered (--runtime=none: nothing started)",
  ])

  const node = (await etcdJson(etcd, `${NODES}n1`)) as { metadata: Record<string, unknown>; spec: unknown }
  t.same(Object.keys(node), ['kind', 'apiVersion', 'metadata', 'spec'], 'Calico field order, no orchRefs, no status')
  t.match(node, {
    kind: 'Node',
    apiVersion: 'projectcalico.org/v3',
    metadata: { name: 'n1', uid: UID, creationTimestamp: TIMESTAMP },
  })
  t.same(Object.keys(node.metadata).sort(), ['creationTimestamp', 'name', 'uid'])
  t.same(node.spec, { bgp: { ipv4Address: '10.99.1.2/24' } }, 'the prefix length comes from eth0')

  t.match(await etcdJson(etcd, `${POOLS}default-ipv4-ippool`), {
    kind: 'IPPool',
    metadata: { name: 'default-ipv4-ippool' },
    spec: { cidr: '192.168.0.0/16', blockSize: 26, ipipMode: 'Never', vxlanMode: 'Never', natOutgoing: true, nodeSelector: 'all()' },
  })
  const v6 = (await etcdJson(etcd, `${POOLS}default-ipv6-ippool`)) as { spec: Record<string, unknown> }
  t.same(v6.spec, { cidr: ula, blockSize: 122, ipipMode: 'Never', vxlanMode: 'Never', nodeSelector: 'all()' })

  t.same(await etcdKeys(etcd, '/calico/ipam/v2/host/'), ['/calico/ipam/v2/host/n1/ipv4/block/192.168.0.0-26'])
  t.same(await etcdJson(etcd, '/calico/ipam/v2/host/n1/ipv4/block/192.168.0.0-26'), { state: 'confirmed' })
  t.same(await etcdKeys(etcd, '/calico/ipam/v2/assignment/'), ['/calico/ipam/v2/assignment/ipv4/block/192.168.0.0-26'])

  t.equal(await readFile(join(prefix, 'var/lib/calico/nodename'), 'utf8'), 'n1')
  t.equal((await exec(ns, 'cat', ['/proc/sys/net/ipv4/ip_forward'])).stdout.trim(), '1', 'forwarding on inside the namespace')
  t.equal((await exec(ns, 'cat', ['/proc/sys/net/ipv6/conf/all/forwarding'])).stdout.trim(), '1')

  // A restart changes nothing: same block, no new pools, the node is not even rewritten.
  const revision = await modRevision(etcd, `${NODES}n1`)
  const again = await falconerIn(ns, endpoint, args)
  t.equal(again.exitCode, 0, again.stderr)
  t.same(lines(again.stdout).slice(4), [
    'Using IPv4 address from --ip=10.99.1.2',
    'IPv4 address 10.99.1.2 discovered on interface eth0',
    'No IPv6 address configured',
    'Using global AS number',
    'Using IPv4 block 192.168.0.0/26 (already affine to this node)',
    'Using node name: n1',
    "Calico node 'n1' registered (--runtime=none: nothing started)",
  ])
  t.equal(await modRevision(etcd, `${NODES}n1`), revision, 'an unchanged node is not written')
  t.same(await etcdKeys(etcd, '/calico/ipam/v2/host/'), ['/calico/ipam/v2/host/n1/ipv4/block/192.168.0.0-26'])

  // Neither flag nor env: the stored address is kept (and still confirmed on eth0); the
  // name now comes from the nodename file. An AS from the environment is stored.
  const kept = await falconerIn(ns, endpoint, ['node', 'run', '--runtime=none', '--prefix', prefix], { AS: '64513' })
  t.equal(kept.exitCode, 0, kept.stderr)
  t.same(lines(kept.stdout).slice(4, 8), [
    'Using configured IPv4 address: 10.99.1.2/24',
    'IPv4 address 10.99.1.2 discovered on interface eth0',
    'No IPv6 address configured',
    'Using AS number specified in environment: AS=64513',
  ])
  t.same((await etcdJson(etcd, `${NODES}n1`) as { spec: unknown }).spec, { bgp: { ipv4Address: '10.99.1.2/24', asNumber: 64513 } })
})

t.test('an address on no interface: the warning, then /32', async (t) => {
  const etcd = await startEtcd(t)
  const { ns, endpoint } = await nodeNamespace(t, etcd, ['10.99.1.2/24'])
  const prefix = await tempPrefix(t)
  const r = await falconerIn(ns, endpoint, ['node', 'run', '--runtime=none', '--no-default-ippools', '--name', 'n2', '--prefix', prefix], {
    IP: '10.99.7.7',
  })
  t.equal(r.exitCode, 0, r.stderr)
  const out = lines(r.stdout)
  t.same(out.slice(5, 7), [
    'Using IPv4 address from environment: IP=10.99.7.7',
    'WARNING: Could not confirm that the provided IPv4 address is assigned to this host.',
  ])
  t.ok(out.includes('Skipping IP pool configuration (no default pools requested)'))
  t.ok(out.includes('WARNING: No enabled IPv4 pool selects this node: no IPv4 block claimed'))
  t.same((await etcdJson(etcd, `${NODES}n2`) as { spec: unknown }).spec, { bgp: { ipv4Address: '10.99.7.7/32' } })
  t.same(await etcdKeys(etcd, POOLS), [], 'no pools with --no-default-ippools')
})

t.test('an address another node uses is refused, naming that node', async (t) => {
  const etcd = await startEtcd(t)
  const { ns, endpoint } = await nodeNamespace(t, etcd, ['10.99.1.2/24'])
  const prefix = await tempPrefix(t)
  const first = await falconerIn(ns, endpoint, ['node', 'run', '--runtime=none', '--ip', '10.99.1.2', '--name', 'n1', '--prefix', prefix])
  t.equal(first.exitCode, 0, first.stderr)

  const other = await tempPrefix(t)
  const r = await falconerIn(ns, endpoint, ['node', 'run', '--runtime=none', '--ip', '10.99.1.2/24', '--name', 'n2', '--prefix', other])
  t.equal(r.exitCode, 1)
  t.equal(r.stderr, [
    "Failed to execute command: Calico node 'n1' is already using the IPv4 address 10.99.1.2.",
    ' -  Check the node configuration to remove the IP address conflict',
  ].join('\n'))
  t.equal(await etcdJson(etcd, `${NODES}n2`), undefined, 'n2 was not registered')

  // Autodetected (first-found finds eth0's 10.99.1.2): refused too, with the way out.
  const auto = await falconerIn(ns, endpoint, ['node', 'run', '--runtime=none', '--ip', 'autodetect', '--name', 'n3', '--prefix', other])
  t.equal(auto.exitCode, 1)
  t.ok(lines(auto.stdout).includes('Using autodetected IPv4 address on interface eth0: 10.99.1.2/24'))
  t.match(auto.stderr, /^Failed to execute command: Calico node 'n1' is already using the IPv4 address 10\.99\.1\.2\.\n/)
  t.match(auto.stderr, / - {2}The address was autodetected: choose another method \(--ip-autodetection-method/)
  t.equal(await etcdJson(etcd, `${NODES}n3`), undefined)
  t.equal(await readFile(join(other, 'var/lib/calico/nodename'), 'utf8').catch(() => 'absent'), 'absent', 'no nodename file for a refused node')

  // Detached (the default), the refusal happens in the background agent: `node run` shows
  // the end of its log and fails with it.
  const detached = await falconerIn(ns, endpoint, ['node', 'run', '--backend=none', '--ip', '10.99.1.2', '--name', 'n2', '--prefix', other])
  t.equal(detached.exitCode, 1)
  const log = join(other, 'var/log/calico/falconer.log')
  t.equal(detached.stderr, `Failed to execute command: The falconer agent exited with status 1 before it was ready; see ${log}`)
  const out = lines(detached.stdout)
  t.match(out[0], /^Started the falconer agent \(pid \d+\); log: /)
  t.ok(out.includes(`Last lines of ${log}:`))
  t.ok(out.includes("  Failed to execute command: Calico node 'n1' is already using the IPv4 address 10.99.1.2."), 'the reason is in the tail')
  t.equal(await readFile(join(other, 'var/run/calico/falconer.pid'), 'utf8').catch(() => 'absent'), 'absent', 'the agent removed its pid file')
})

t.test('startup waits for etcd, then carries on', async (t) => {
  const etcd = await startEtcd(t)
  const { ns, endpoint } = await nodeNamespace(t, etcd, ['10.99.1.2/24'])
  const prefix = await tempPrefix(t)
  await etcd.stop()
  const child = spawnInNetns(
    t, ns, process.execPath,
    [BIN, 'node', 'run', '--runtime=none', '--ip', '10.99.1.2', '--name', 'n1', '--prefix', prefix, '--datastore-timeout', '3'],
    // A loaded test machine restarts etcd slowly: a wait bound that cannot run out here.
    { env: { ...process.env, DATASTORE_TYPE: 'etcdv3', ETCD_ENDPOINTS: endpoint, FALCONER_DATASTORE_WAIT: '240' } },
  )
  await pollUntil('the agent to report etcd unreachable', () => child.output().includes('etcd is not reachable yet'), { timeoutMs: 60_000 })
  t.notOk(child.output().includes('Connected to etcd'))
  await etcd.start()
  const status = await child.exited
  t.equal(status.code, 0, child.output())
  const out = lines(child.output())
  t.equal(out[0], 'Enabling IPv4 forwarding')
  t.equal(out[2], 'Waiting for etcd connection...')
  t.match(out[3], /^etcd is not reachable yet \(.*\); retrying for up to 240s$/)
  t.ok(out.includes('Connected to etcd'))
  t.same((await etcdJson(etcd, `${NODES}n1`) as { spec: unknown }).spec, { bgp: { ipv4Address: '10.99.1.2/24' } })
})

t.test('without a datastore for too long: a clear failure (exit 1)', async (t) => {
  // Nothing listens on this port inside a fresh namespace: connection refused at once.
  const ns = await createNetns(t, NETNS_PREFIX)
  const prefix = await tempPrefix(t)
  const r = await falconerIn(
    ns, 'http://127.0.0.1:9',
    ['node', 'run', '--runtime=none', '--ip', '10.99.1.2', '--name', 'n1', '--prefix', prefix, '--datastore-timeout', '2'],
    { FALCONER_DATASTORE_WAIT: '3' },
  )
  t.equal(r.exitCode, 1)
  t.match(r.stdout, /Waiting for etcd connection\.\.\.\netcd is not reachable yet \(.*\); retrying for up to 3s$/m)
  t.match(r.stderr, /^Failed to execute command: Could not connect to etcd at http:\/\/127\.0\.0\.1:9 within 3s: /)
  t.match(r.stderr, /\n - {2}Check ETCD_ENDPOINTS/)
  t.same(await readdir(join(prefix, 'var/lib/calico')).catch(() => []), [], 'no nodename file')
})
