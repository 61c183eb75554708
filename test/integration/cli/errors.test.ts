import { writeFile } from 'node:fs/promises'
import { createServer, type Server, type Socket } from 'node:net'
import { join } from 'node:path'
import t, { type Test } from 'tap'
import { runCli } from '../../helpers/cli.js'
import { cliEnv } from './env.js'

// Bad input fails with exit status 1 and ONE clear line (never a stack trace); an
// unreachable datastore fails within the configured bound, naming the endpoints.

// A private build of the CLI plus dozens of node processes: minutes on a loaded machine.
t.setTimeout(900_000)
const { cli, prefix, etcd, bin } = await cliEnv(t)

function oneLine(t: Test, r: { code: number; stdout: string; stderr: string }, expected: string | RegExp, what: string): void {
  t.equal(r.code, 1, `${what}: exit 1`)
  t.equal(r.stdout, '', `${what}: nothing on stdout`)
  t.match(r.stderr, expected, what)
  t.equal(r.stderr.split('\n').filter(Boolean).length, 1, `${what}: one line`)
  t.notMatch(r.stderr, /\n\s+at /, `${what}: no stack trace`)
}

t.test('unknown kind', async (t) => {
  oneLine(t, await cli(['get', 'foo']), "Failed to get resources: resource type 'foo' is not supported\n", 'get')
  oneLine(t, await cli(['delete', 'foo', 'bar']), "Failed to execute command: resource type 'foo' is not supported\n", 'delete')
  oneLine(
    t,
    await cli(['create', '-f', '-'], { input: 'apiVersion: projectcalico.org/v3\nkind: NetworkPolicy\nmetadata: {name: x}\nspec: {}\n' }),
    "Failed to create 'NetworkPolicy' resource: [resource type 'NetworkPolicy' is not supported]\n",
    'manifest',
  )
})

t.test('unknown flag, missing argument, too many arguments', async (t) => {
  oneLine(t, await cli(['node', 'show', '--bogus']), "Failed to execute command: unknown option '--bogus' (run with --help for usage)\n", 'unknown flag')
  oneLine(t, await cli(['config', 'get', 'asNumber', '--nod=x']), /^Failed to execute command: unknown option '--nod=x'/, 'misspelt flag with suggestion')
  oneLine(t, await cli(['get']), "Failed to get resources: missing required argument 'KIND' (run with --help for usage)\n", 'missing argument')
  oneLine(t, await cli(['node', 'show', 'extra']), /^Failed to execute command: too many arguments for 'show'/, 'extra argument')
  oneLine(t, await cli(['create']), /^Failed to execute command: required option '-f, --filename <FILENAME>' not specified/, 'required option')
  oneLine(t, await cli(['get', 'nodes', '-o', 'table']), /^Failed to get resources: unrecognised output format 'table'/, 'output format')
  oneLine(t, await cli(['get', 'nodes', '--datastore-timeout', 'soon']), /^Failed to get resources: datastore timeout "soon": expected seconds/, 'bad timeout')
})

t.test('malformed YAML names the line', async (t) => {
  const input = 'apiVersion: projectcalico.org/v3\nkind: BGPPeer\nmetadata: name: peer1\nspec: {}\n'
  oneLine(
    t,
    await cli(['create', '-f', '-'], { input }),
    'Failed to execute command: error processing input file: yaml: line 3: Nested mappings are not allowed in compact mappings\n',
    'create',
  )
  const file = join(prefix, 'bad.yaml')
  await writeFile(file, 'kind: BGPPeer\n---\nkind: Node\nmetadata:\n  name: a\n\tlabels: {}\n')
  oneLine(t, await cli(['apply', '-f', file]), /^Failed to execute command: error processing input file: yaml: line 6: /, 'apply from a file')
  oneLine(t, await cli(['delete', '-f', join(prefix, 'missing.yaml')]), `Failed to execute command: could not read '${join(prefix, 'missing.yaml')}': no such file or directory\n`, 'missing file')
  oneLine(t, await cli(['create', '-f', '-'], { input: '# nothing\n' }), 'Failed to execute command: No resources specified in file\n', 'empty input')
})

t.test('validation errors name the field', async (t) => {
  const input = 'apiVersion: projectcalico.org/v3\nkind: BGPPeer\nmetadata: {name: p}\nspec: {peerIP: 10.0.0.1, asNumber: 64512, keepOriginalNextHop: maybe}\n'
  oneLine(t, await cli(['create', '-f', '-'], { input }), /^Failed to create 'BGPPeer' resource: \[spec\.keepOriginalNextHop: /, 'field')
  const v1 = 'apiVersion: v1\nkind: bgpPeer\nmetadata: {peerIP: 10.0.0.1, scope: node}\nspec: {asNumber: 64512}\n'
  oneLine(t, await cli(['create', '-f', '-'], { input: v1 }), "Failed to create 'BGPPeer' resource: [metadata.node: required when scope is node]\n", 'v1 field')
})

t.test('invalid IP, scope and peer arguments of the v1 peer commands', async (t) => {
  oneLine(t, await cli(['delete', 'bgpPeer', '192.20.30', '--scope=global']), 'Failed to execute command: Invalid IP address specified: "192.20.30" is not a valid IPv4 address\n', 'delete bad IP')
  oneLine(t, await cli(['get', 'bgpPeer', '--scope=rack']), "Failed to get resources: Invalid scope 'rack': expected global or node\n", 'bad scope')
  oneLine(t, await cli(['delete', 'bgpPeer', 'aa:bb::ff', '--scope=node']), 'Failed to execute command: --node=<NODE> is required with --scope=node\n', 'node scope without node')
  oneLine(t, await cli(['get', 'ippools', '--scope=global']), 'Failed to get resources: --scope only applies to bgpPeer, not IPPool\n', 'scope on another kind')
})

t.test('workload endpoints are read-only', async (t) => {
  const wep = 'apiVersion: projectcalico.org/v3\nkind: WorkloadEndpoint\nmetadata: {name: node1-k8s-pod-eth0, namespace: default}\nspec: {node: node1, ipNetworks: [192.168.1.5/32]}\n'
  oneLine(t, await cli(['create', '-f', '-'], { input: wep }), "Failed to create 'WorkloadEndpoint' resource: [workload endpoints are managed by the orchestrator and are read-only in falconer]\n", 'create')
  // …but they can be listed (written here the way an orchestrator would).
  await etcd.etcdctl([
    'put',
    '/calico/resources/v3/projectcalico.org/workloadendpoints/default/node1-k8s-pod-eth0',
    JSON.stringify({ apiVersion: 'projectcalico.org/v3', kind: 'WorkloadEndpoint', metadata: { name: 'node1-k8s-pod-eth0', namespace: 'default' }, spec: { node: 'node1', workload: 'pod', interfaceName: 'cali0', ipNetworks: ['192.168.1.5/32'] } }),
  ])
  const r = await cli(['get', 'workloadendpoints'])
  t.equal(r.stdout, 'WORKLOAD   NODE    NETWORKS         INTERFACE   \npod        node1   192.168.1.5/32   cali0       \n\n', r.stderr)
  t.equal((await cli(['get', 'wep', '-A'])).stdout, 'NAMESPACE   WORKLOAD   NODE    NETWORKS         INTERFACE   \ndefault     pod        node1   192.168.1.5/32   cali0       \n\n')
  t.equal((await cli(['get', 'wep', '-n', 'other'])).stdout, 'WORKLOAD   NODE   NETWORKS   INTERFACE   \n\n')
})

t.test('-c/--config names a client config file (and beats the environment)', async (t) => {
  const file = join(prefix, 'calicoctl.cfg')
  await writeFile(file, `apiVersion: projectcalico.org/v3\nkind: CalicoAPIConfig\nspec:\n  datastoreType: etcdv3\n  etcdEndpoints: ${etcd.endpoint}\n`)
  const env = { ETCD_ENDPOINTS: 'http://127.0.0.1:1' }
  const r = await cli(['config', 'get', 'nodeToNodeMesh', '-c', file], { env })
  t.same([r.code, r.stdout, r.stderr], [0, 'on\n', ''])
  t.same(await cli(['-c', file, 'get', 'ippools'], { env }).then((x) => [x.code, x.stdout]), [0, 'NAME   CIDR   SELECTOR   \n\n'], 'before the command too')
  oneLine(t, await cli(['get', 'nodes', '--config', join(prefix, 'nope.cfg')]), /^Failed to get resources: cannot read client config .*nope\.cfg: /, 'missing config file')
})

/** A loopback TCP server that accepts connections and never answers: a hung etcd. */
async function silentServer(t: Test): Promise<number> {
  const sockets = new Set<Socket>()
  const server: Server = createServer((s) => {
    sockets.add(s)
    s.on('error', () => undefined)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => {
    for (const s of sockets) s.destroy()
    return new Promise<void>((resolve) => server.close(() => resolve()))
  })
  return (server.address() as { port: number }).port
}

/** A loopback port nobody listens on: bind, note the port, close. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as { port: number }).port
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

t.test('unreachable datastore: bounded by --datastore-timeout, names the endpoint, exits', async (t) => {
  // The bound is 2 s. A command that ignored it would hang on the silent server until
  // runCli kills it (30 s: exit code -1, not 1). How long the failure takes is measured in
  // bench/, not asserted here.
  const closed = `http://127.0.0.1:${await closedPort()}`
  const silent = `http://127.0.0.1:${await silentServer(t)}`
  for (const [what, endpoint] of [['closed port', closed], ['silent server', silent]] as const) {
    for (const args of [['get', 'nodes'], ['config', 'set', 'asNumber', '64513'], ['node', 'show'], ['create', '-f', '-']]) {
      const r = await runCli([...args, '--datastore-timeout', '2', '--prefix', prefix], {
        bin,
        env: { ETCD_ENDPOINTS: endpoint, NODENAME: '' },
        input: 'apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: p}\nspec: {cidr: 10.97.0.0/16}\n',
        timeoutMs: 30_000,
      })
      const label = `${what}: ${args.join(' ')}`
      // exit 1 with the message, by itself: oneLine checks the code
      oneLine(t, r, new RegExp(`^${args[0] === 'get' ? 'Failed to get resources: ' : 'Failed to execute command: '}cannot reach the etcd datastore at ${endpoint.replace(/[.]/g, '\\.')} within 2s`), label)
    }
  }
})

t.test('--help: the docopt usage layout, exit 0, for every command', async (t) => {
  const commands = [
    [], ['config'], ['config', 'set'], ['config', 'get'], ['config', 'unset'], ['create'], ['apply'], ['replace'], ['delete'], ['get'],
    ['node', 'show'], ['node', 'bgp', 'peer'], ['node', 'bgp', 'peer', 'add'], ['node', 'bgp', 'peer', 'remove'], ['node', 'bgp', 'peer', 'show'],
  ]
  for (const c of commands) {
    const r = await runCli([...c, '--help'], { bin })
    const label = ['falconer', ...c].join(' ')
    t.equal(r.code, 0, label)
    t.match(r.stdout, new RegExp(`^Usage:\\n  ${label} `), label)
    t.match(r.stdout, /\nOptions:\n(.*\n)*  -h --help +Show this screen\.\n/, `${label}: -h --help`)
    t.match(r.stdout, /\n  -c --config=<CONFIG> +Path to the file containing connection\n/, `${label}: -c`)
  }
  const add = await runCli(['node', 'bgp', 'peer', 'add', '--help'], { bin })
  t.match(add.stdout, /^Usage:\n  falconer node bgp peer add <PEER_IP> as <AS_NUM> \[--node=<NODE>\] \[options\]\n\nDescription:\n/)
  t.match(add.stdout, /\nExamples:\n  falconer node bgp peer add 172\.25\.0\.2 as 65511\n/)
  const show = await runCli(['node', 'bgp', 'peer', 'show', '-h'], { bin })
  t.match(show.stdout, /\n {5}--ipv4 +Show only IPv4 peers\.\n {5}--ipv6 +Show only IPv6 peers\.\n/)
})
