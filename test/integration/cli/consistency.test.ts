import t from 'tap'
import { join } from 'node:path'
import { cliEnv } from './env.js'

// One spelling for the node flag (old ones still work, hidden), help for nested commands,
// calicoctl habits that must not break (--allow-version-mismatch, `peer add IP AS`,
// ipam), and a clear word for the calicoctl commands falconer does not offer.

t.setTimeout(600_000)
const { cli, prefix, etcd } = await cliEnv(t)

t.test('falconer help <command path> prints that command\'s help', async (t) => {
  const r = await cli(['help', 'node', 'status'])
  t.equal(r.code, 0)
  t.match(r.stdout, /^Usage:\n  falconer node status \[options\]\n/)
  t.same(r.stdout, (await cli(['node', 'status', '--help'])).stdout)
})

t.test('--node everywhere; --name, --hostname and -n are hidden aliases', async (t) => {
  for (const path of [['node', 'run'], ['node', 'remove'], ['node', 'bgp', 'peer', 'add'], ['config', 'set']]) {
    const help = (await cli([...path, '--help'])).stdout
    t.match(help, /--node=<NODE>/, `${path.join(' ')}: --node in help`)
    t.notMatch(help, /--name=|--hostname=|-n --node/, `${path.join(' ')}: no old spelling in help`)
  }
  t.equal((await cli(['node', 'bgp', 'peer', 'add', '10.99.7.1', 'as', '65001', '--node', 'n-a'])).code, 0)
  t.equal((await cli(['node', 'bgp', 'peer', 'add', '10.99.7.2', 'as', '65001', '--name', 'n-a'])).code, 0)
  t.equal((await cli(['config', 'set', 'logLevel', 'debug', '-n', 'n-a'])).code, 0)
  t.equal((await cli(['config', 'get', 'logLevel', '--node', 'n-a'])).stdout, 'debug\n')
  const peers = (await cli(['node', 'bgp', 'peer', 'show', '--node', 'n-a'])).stdout
  t.match(peers, /10\.99\.7\.1/)
  t.match(peers, /10\.99\.7\.2/)
  const both = await cli(['node', 'bgp', 'peer', 'show', '--node', 'a', '--name', 'b'])
  t.equal(both.code, 1)
  t.equal(both.stderr, 'Failed to execute command: --node=a and --name=b name different nodes; give --node once\n')
})

t.test('node bgp peer add <IP> <AS> (without the word "as") works', async (t) => {
  const r = await cli(['node', 'bgp', 'peer', 'add', '10.99.7.3', '65000', '--node', 'n-b'])
  t.equal(r.stderr, '')
  t.equal(r.code, 0)
  t.match((await cli(['node', 'bgp', 'peer', 'show', '--node', 'n-b'])).stdout, /10\.99\.7\.3\s*\|\s*65000/)
  const missing = await cli(['node', 'bgp', 'peer', 'add', '10.99.7.3', 'as', '--node', 'n-b'])
  t.equal(missing.stderr, "Failed to execute command: missing AS number: expected 'add 10.99.7.3 as <AS_NUM>'\n")
})

t.test('--allow-version-mismatch is accepted by every command', async (t) => {
  t.equal((await cli(['get', 'nodes', '--allow-version-mismatch'])).code, 0)
  t.equal((await cli(['--allow-version-mismatch', 'config', 'get', 'asNumber'])).code, 0)
})

t.test('calicoctl commands falconer does not offer say so and what to use', async (t) => {
  for (const [args, what] of [[['convert', '-f', 'x.yaml'], /apply -f/], [['datastore', 'migrate', 'export'], /etcdctl snapshot/]] as const) {
    const r = await cli([...args])
    t.equal(r.code, 1, args[0])
    t.match(r.stderr, new RegExp(`^Failed to execute command: falconer does not offer \`${args[0]}`), args[0])
    t.match(r.stderr, what, args[0])
  }
})

t.test('node status on a prefix with no agent names the sockets it tried', async (t) => {
  const r = await cli(['node', 'status', '--prefix', join(prefix, 'elsewhere')])
  t.equal(r.code, 1)
  t.equal(r.stdout, 'Calico process is not running.\n')
  t.match(r.stderr, join(prefix, 'elsewhere/var/run/calico/bird.ctl'))
  t.match(r.stderr, join(prefix, 'elsewhere/var/run/calico/bird6.ctl'))
  t.match(r.stderr, /--prefix/)
})

t.test('ipam show [--show-blocks] and ipam release --block', async (t) => {
  const pool = 'apiVersion: projectcalico.org/v3\nkind: IPPool\nmetadata: {name: p1}\nspec: {cidr: 10.98.0.0/24, blockSize: 26}\n'
  t.equal((await cli(['apply', '-f', '-'], { input: pool })).code, 0)
  await etcd.etcdctl(['put', '/calico/ipam/v2/host/n-c/ipv4/block/10.98.0.64-26', '{"state":"confirmed"}'])
  const show = await cli(['ipam', 'show'])
  t.equal(show.code, 0, show.stderr)
  t.match(show.stdout, /\| IP Pool\s+\| 10\.98\.0\.0\/24\s+\|\s+256 \| 1 of 4\s+\|/)
  const blocks = await cli(['ipam', 'show', '--show-blocks'])
  t.match(blocks.stdout, /\| Block\s+\| 10\.98\.0\.64\/26\s+\|\s+64 \| confirmed\s+\| n-c\s+\|/)

  const ip = await cli(['ipam', 'release', '--ip', '10.98.0.65'])
  t.equal(ip.code, 1)
  t.match(ip.stderr, /^Failed to execute command: --ip 10\.98\.0\.65: falconer does not assign single addresses/)
  const wrongNode = await cli(['ipam', 'release', '--block', '10.98.0.64/26', '--node', 'n-d'])
  t.equal(wrongNode.stderr, 'Failed to execute command: block 10.98.0.64/26 is not claimed by node n-d\n')
  const r = await cli(['ipam', 'release', '--block', '10.98.0.64/26'])
  t.equal(r.stdout, 'Released block 10.98.0.64/26 of node n-c\n', r.stderr)
  t.equal((await etcd.etcdctl(['get', '/calico/ipam/v2/host/n-c/ipv4/block/10.98.0.64-26'])).trim(), '')
  t.match((await cli(['ipam', 'show'])).stdout, /1 of 4|0 of 4/)
  t.match((await cli(['ipam', 'show'])).stdout, /0 of 4/)
})

t.test('version: client, commit, BIRD, and the cluster when the datastore has it', async (t) => {
  await etcd.etcdctl([
    'put',
    '/calico/resources/v3/projectcalico.org/clusterinformations/default',
    JSON.stringify({ apiVersion: 'projectcalico.org/v3', kind: 'ClusterInformation', metadata: { name: 'default' }, spec: { calicoVersion: 'v3.27.0', clusterType: 'bgp,etcd' } }),
  ])
  const r = await cli(['version'])
  t.equal(r.code, 0, r.stderr)
  t.match(r.stdout, /^Client Version: {4}v\d+\.\d+\.\d+\nGit Commit: {8}(unknown|[0-9a-f]{40}(-dirty)?)\nBIRD Version: {6}1\.6\.8 \(BIRD 1\.6: bird and bird6\)\nCluster Version: {3}v3\.27\.0\nCluster Type: {6}bgp,etcd\nDatastore: {9}etcdv3, etcd 3\.\d+\.\d+\n$/)
  const down = await cli(['version', '--datastore-timeout', '1'], { env: { ETCD_ENDPOINTS: 'http://127.0.0.1:1' } })
  t.equal(down.code, 0)
  t.match(down.stdout, /\nCluster Version: {3}unknown \(cannot reach the etcd datastore at http:\/\/127\.0\.0\.1:1 within 1s/)
})
