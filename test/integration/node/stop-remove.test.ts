/**
 * `node stop` and `node remove` against the real agent (`node run --backend=none`, started
 * detached and in the foreground inside a namespace) and a real etcd holding a workload
 * endpoint of the node: the refusals, then the --force / --remove-endpoints paths.
 */
import t from 'tap'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { AnyResource } from '../../../src/api/types.js'
import { EtcdStore } from '../../../src/datastore/etcd-store.js'
import { isAlive, readPidFile } from '../../../src/node/lifecycle/agent-process.js'
import { ensureBuilt, runCli } from '../../helpers/cli.js'
import { startEtcd, type EtcdHandle } from '../../helpers/etcd.js'
import { exec, pollUntil, removeStaleNamespaces, spawnInNetns } from '../../helpers/netns.js'
import { BIN, NETNS_PREFIX, etcdJson, etcdKeys, falconerIn, lines, nodeNamespace, quietly, tempPrefix } from './run-helpers.js'

const V3 = '/calico/resources/v3/projectcalico.org/'

t.before(async () => {
  await removeStaleNamespaces(NETNS_PREFIX)
  await ensureBuilt()
})

async function seed(etcd: EtcdHandle): Promise<void> {
  const store = await EtcdStore.connect(etcd.settings)
  try {
    const meta = (name: string, namespace?: string) => ({ name, ...(namespace && { namespace }) })
    const resources: AnyResource[] = [
      { apiVersion: 'projectcalico.org/v3', kind: 'WorkloadEndpoint', metadata: meta('n1-k8s-web-eth0', 'ns1'),
        spec: { node: 'n1', orchestrator: 'k8s', workload: 'web', endpoint: 'eth0', interfaceName: 'cali0a1b2c3d4e5', ipNetworks: ['192.168.0.5/32'] } },
      { apiVersion: 'projectcalico.org/v3', kind: 'WorkloadEndpoint', metadata: meta('n2-k8s-db-eth0', 'ns2'),
        spec: { node: 'n2', orchestrator: 'k8s', workload: 'db', endpoint: 'eth0' } },
      { apiVersion: 'projectcalico.org/v3', kind: 'BGPPeer', metadata: meta('n1-tor'), spec: { node: 'n1', peerIP: '10.99.0.254', asNumber: 65000 } },
      { apiVersion: 'projectcalico.org/v3', kind: 'BGPPeer', metadata: meta('n2-tor'), spec: { node: 'n2', peerIP: '10.99.0.254', asNumber: 65000 } },
      { apiVersion: 'projectcalico.org/v3', kind: 'BGPPeer', metadata: meta('global-rr'), spec: { peerIP: '10.99.0.253', asNumber: 65000 } },
      { apiVersion: 'projectcalico.org/v3', kind: 'BGPConfiguration', metadata: meta('node.n1'), spec: { logSeverityScreen: 'Debug' } },
      { apiVersion: 'projectcalico.org/v3', kind: 'BGPConfiguration', metadata: meta('default'), spec: { asNumber: 64512 } },
      { apiVersion: 'projectcalico.org/v3', kind: 'CalicoNodeStatus', metadata: meta('n1-status'), spec: { node: 'n1', classes: ['Agent', 'BGP'] } },
      { apiVersion: 'projectcalico.org/v3', kind: 'CalicoNodeStatus', metadata: meta('n2-status'), spec: { node: 'n2', classes: ['Agent'] } },
    ]
    for (const r of resources) await store.create(r)
  } finally {
    await store.close()
  }
}

/** Kills what the test started if an assertion failed before `node stop` did. */
function killOnTeardown(t: { teardown(fn: () => unknown): void }, pidFile: string): void {
  t.teardown(() =>
    quietly('killing a leftover agent', async () => {
      const pid = await readPidFile(pidFile)
      if (pid !== undefined && isAlive(pid)) process.kill(pid, 'SIGKILL')
    }),
  )
}

t.test('stop and remove refuse while a workload endpoint exists; --force and --remove-endpoints go ahead', async (t) => {
  const etcd = await startEtcd(t)
  const { ns, endpoint } = await nodeNamespace(t, etcd, ['10.99.1.2/24'])
  const prefix = await tempPrefix(t)
  const pidFile = join(prefix, 'var/run/calico/falconer.pid')
  killOnTeardown(t, pidFile)
  await seed(etcd)
  const cli = (args: string[]) => runCli([...args, '--prefix', prefix], { env: etcd.env })

  // The real agent, detached (the default mode), policy-only so no BIRD is involved.
  const run = await falconerIn(ns, endpoint, ['node', 'run', '--backend=none', '--ip', '10.99.1.2', '--name', 'n1', '--prefix', prefix])
  t.equal(run.exitCode, 0, `${run.stdout}\n${run.stderr}`)
  const out = lines(run.stdout)
  t.match(out[0], /^Started the falconer agent \(pid \d+\); log: .*\/var\/log\/calico\/falconer\.log$/)
  t.equal(out.at(-1), 'Calico node started successfully')
  t.ok(out.includes('Connected to etcd'), 'the agent\'s startup lines are echoed')
  const pid = await readPidFile(pidFile)
  t.ok(pid !== undefined && isAlive(pid), `the agent runs (pid ${pid})`)
  t.match(await readFile(join(prefix, 'var/log/calico/falconer.log'), 'utf8'), /Calico node started successfully/)

  const again = await falconerIn(ns, endpoint, ['node', 'run', '--backend=none', '--ip', '10.99.1.2', '--name', 'n1', '--prefix', prefix])
  t.equal(again.exitCode, 1)
  t.equal(again.stderr, `Failed to execute command: A falconer agent is already running on this host (pid ${pid}). Stop it first with 'falconer node stop'.`)

  const refusedStop = await cli(['node', 'stop'])
  t.equal(refusedStop.code, 1)
  t.equal(refusedStop.stderr, "Failed to execute command: Current host has active endpoints so can't be stopped. Force with --force\n")
  t.ok(isAlive(pid!), 'still running')

  const refusedRemove = await cli(['node', 'remove'])
  t.equal(refusedRemove.code, 1)
  t.equal(
    refusedRemove.stderr,
    "Failed to execute command: The node cannot be removed while it is running. Please run 'falconer node stop' to stop the node before removing it.\n",
  )
  const missing = await cli(['node', 'remove', '--hostname', 'n3'])
  t.equal(missing.code, 1, 'another node may be removed while this one runs; this one does not exist')
  t.equal(missing.stderr, "Failed to execute command: Node 'n3' does not exist: nothing to remove\n")

  const forced = await cli(['node', 'stop', '--force'])
  t.equal(forced.code, 0, forced.stderr)
  t.equal(forced.stdout, [
    "Stopping node while host has active endpoints. If this is in error, restart the node using the 'falconer node run' command.",
    'Node stopped',
    '',
  ].join('\n'))
  t.notOk(isAlive(pid!), 'the agent is gone')
  t.equal(await readPidFile(pidFile), undefined, 'and its pid file with it')

  const idle = await cli(['node', 'stop'])
  t.equal(idle.code, 0)
  t.equal(idle.stdout, 'Node is not running.\n')

  const refusedEndpoints = await cli(['node', 'remove'])
  t.equal(refusedEndpoints.code, 1)
  t.equal(refusedEndpoints.stderr, "Failed to execute command: The node has active Calico endpoints so can't be deleted. Force with --remove-endpoints\n")
  t.ok(await etcdJson(etcd, `${V3}nodes/n1`), 'nothing was removed')
  t.equal((await etcdKeys(etcd, '/calico/ipam/v2/host/n1/')).length, 1)

  const removed = await cli(['node', 'remove', '--remove-endpoints'])
  t.equal(removed.code, 0, removed.stderr)
  t.equal(removed.stdout, [
    "Removed 1 workload endpoint(s) of node 'n1'",
    'Removed 1 node-specific BGP peer(s)',
    'Removed BGPConfiguration node.n1',
    'Removed 1 CalicoNodeStatus object(s)',
    'Released 1 block affinity(ies)',
    "Removed node 'n1'",
    'Node configuration removed',
    '',
  ].join('\n'))
  t.equal(await etcdJson(etcd, `${V3}nodes/n1`), undefined)
  t.same(await etcdKeys(etcd, `${V3}workloadendpoints/`), [`${V3}workloadendpoints/ns2/n2-k8s-db-eth0`])
  t.same(await etcdKeys(etcd, `${V3}bgppeers/`), [`${V3}bgppeers/global-rr`, `${V3}bgppeers/n2-tor`])
  t.same(await etcdKeys(etcd, `${V3}bgpconfigurations/`), [`${V3}bgpconfigurations/default`])
  t.same(await etcdKeys(etcd, `${V3}caliconodestatuses/`), [`${V3}caliconodestatuses/n2-status`])
  t.same(await etcdKeys(etcd, '/calico/ipam/v2/host/'), [], 'the block affinity is released')
  t.same(await etcdKeys(etcd, '/calico/ipam/v2/assignment/'), [], 'and the empty block with it')

  const gone = await cli(['node', 'remove', '--hostname=n1'])
  t.equal(gone.code, 1)
  t.equal(gone.stderr, "Failed to execute command: Node 'n1' does not exist: nothing to remove\n")
})

t.test('with BIRD: node run returns once BIRD has its config; node stop stops the agent and its BIRD', async (t) => {
  const etcd = await startEtcd(t)
  const { ns, endpoint } = await nodeNamespace(t, etcd, ['10.99.1.2/24'])
  const prefix = await tempPrefix(t)
  const pidFile = join(prefix, 'var/run/calico/falconer.pid')
  killOnTeardown(t, pidFile)

  const run = await falconerIn(ns, endpoint, ['node', 'run', '--ip', '10.99.1.2', '--name', 'n1', '--prefix', prefix])
  t.equal(run.exitCode, 0, `${run.stdout}\n${run.stderr}`)
  t.equal(lines(run.stdout).at(-1), 'Calico node started successfully')
  const birds = async () => {
    const pids = lines((await exec(ns, 'ip', ['netns', 'pids', ns.name])).stdout)
    const comms = await Promise.all(pids.map((p) => readFile(`/proc/${p}/comm`, 'utf8').then((c) => c.trim(), () => '')))
    return comms.filter((c) => c === 'bird' || c === 'bird6')
  }
  await pollUntil('bird and bird6 to run in the namespace', async () => (await birds()).length === 2, { timeoutMs: 60_000 })
  t.match(await readFile(join(prefix, 'etc/calico/confd/config/bird.cfg'), 'utf8'), /router id 10\.99\.1\.2;/)

  const stop = await runCli(['node', 'stop', '--prefix', prefix], { env: etcd.env })
  t.equal(stop.code, 0, stop.stderr)
  t.equal(stop.stdout, 'Node stopped\n')
  t.same(await birds(), [], 'BIRD stopped with the agent')
})

t.test('--init-system runs in the foreground: SIGTERM ends it with status 0; node stop without endpoints needs no --force', async (t) => {
  const etcd = await startEtcd(t)
  const { ns, endpoint } = await nodeNamespace(t, etcd, ['10.99.1.2/24'])
  const prefix = await tempPrefix(t)
  const pidFile = join(prefix, 'var/run/calico/falconer.pid')
  const env = { ...process.env, DATASTORE_TYPE: 'etcdv3', ETCD_ENDPOINTS: endpoint }
  const args = [BIN, 'node', 'run', '--init-system', '--backend=none', '--ip', '10.99.1.2', '--name', 'n1', '--prefix', prefix]

  const first = spawnInNetns(t, ns, process.execPath, args, { env })
  await pollUntil('the agent to be ready', () => first.output().includes('Calico node started successfully'), { timeoutMs: 60_000 })
  t.equal(await readPidFile(pidFile), first.pid, 'the agent wrote its own pid')
  first.kill('SIGTERM')
  const status = await first.exited
  t.same(status, { code: 0, signal: null }, 'SIGTERM is a clean stop')
  t.equal(await readPidFile(pidFile), undefined, 'pid file removed on the way out')

  const second = spawnInNetns(t, ns, process.execPath, args, { env })
  await pollUntil('the agent to be ready again', () => second.output().includes('Calico node started successfully'), { timeoutMs: 60_000 })
  const stop = await runCli(['node', 'stop', '--prefix', prefix], { env: etcd.env })
  t.equal(stop.code, 0, stop.stderr)
  t.equal(stop.stdout, 'Node stopped\n')
  t.same(await second.exited, { code: 0, signal: null })

  // Stopped while still waiting for etcd (systemd stop during an outage): a clean, prompt stop.
  await etcd.stop()
  const third = spawnInNetns(t, ns, process.execPath, args, { env: { ...env, FALCONER_DATASTORE_WAIT: '600' } })
  await pollUntil('the agent to wait for etcd', () => third.output().includes('etcd is not reachable yet'), { timeoutMs: 60_000 })
  t.equal(await readPidFile(pidFile), third.pid)
  third.kill('SIGTERM')
  // exits by itself, cleanly (how fast is measured by the SIGTERM fault scenario, not here)
  t.same(await third.exited, { code: 0, signal: null }, third.output())
  t.equal(await readPidFile(pidFile), undefined)
})
