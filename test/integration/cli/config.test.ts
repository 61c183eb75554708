import t from 'tap'
import { cliEnv } from './env.js'

// "Configuring BGP Peers": the default node AS number and the node-to-node mesh.

// A private build of the CLI plus dozens of node processes: minutes on a loaded machine.
t.setTimeout(900_000)
const { cli, stored } = await cliEnv(t)

t.test('asNumber: 64512 when unset, then the document example (64513)', async (t) => {
  t.match(await cli(['config', 'get', 'asNumber']), { code: 0, stdout: '64512\n', stderr: '' })
  t.equal(await stored('bgpconfigurations', 'default'), undefined, 'reading creates nothing')

  const set = await cli(['config', 'set', 'asNumber', '64513'])
  t.equal(set.code, 0, set.stderr)
  t.equal(set.stdout, '')
  t.equal(set.stderr, '')
  const get = await cli(['config', 'get', 'asNumber'])
  t.equal(get.stdout, '64513\n')
  t.equal(get.code, 0)

  const value = await stored('bgpconfigurations', 'default')
  t.match(value, { kind: 'BGPConfiguration', apiVersion: 'projectcalico.org/v3', metadata: { name: 'default' }, spec: { asNumber: 64513 } })
})

t.test('asNumber accepts asdot and stores the plain number', async (t) => {
  t.equal((await cli(['config', 'set', 'asNumber', '1.10'])).code, 0)
  t.equal((await cli(['config', 'get', 'asNumber'])).stdout, '65546\n')
  t.equal((await cli(['config', 'set', 'asNumber', '64513'])).code, 0)
})

t.test('nodeToNodeMesh: on by default, off, on again (the document example)', async (t) => {
  t.equal((await cli(['config', 'get', 'nodeToNodeMesh'])).stdout, 'on\n')
  const off = await cli(['config', 'set', 'nodeToNodeMesh', 'off'])
  t.same([off.code, off.stdout, off.stderr], [0, '', ''])
  t.equal((await cli(['config', 'get', 'nodeToNodeMesh'])).stdout, 'off\n')
  t.match(await stored('bgpconfigurations', 'default'), { spec: { nodeToNodeMeshEnabled: false, asNumber: 64513 } }, 'the AS number is kept')
  t.equal((await cli(['config', 'set', 'nodeToNodeMesh', 'on'])).code, 0)
  t.equal((await cli(['config', 'get', 'nodeToNodeMesh'])).stdout, 'on\n')
})

t.test('logLevel: info by default, maps onto logSeverityScreen, per node with inheritance', async (t) => {
  t.equal((await cli(['config', 'get', 'logLevel'])).stdout, 'info\n')
  t.equal((await cli(['config', 'set', 'logLevel', 'warning'])).code, 0)
  t.equal((await cli(['config', 'get', 'logLevel'])).stdout, 'warning\n')
  t.match(await stored('bgpconfigurations', 'default'), { spec: { logSeverityScreen: 'Warning' } })

  t.equal((await cli(['config', 'get', 'logLevel', '--node=node1'])).stdout, 'warning (inherited from global)\n')
  t.equal((await cli(['config', 'set', 'logLevel', 'debug', '--node=node1'])).code, 0)
  t.equal((await cli(['config', 'get', 'logLevel', '--node', 'node1'])).stdout, 'debug\n')
  t.match(await stored('bgpconfigurations', 'node.node1'), { metadata: { name: 'node.node1' }, spec: { logSeverityScreen: 'Debug' } })

  t.equal((await cli(['config', 'unset', 'logLevel', '--node=node1'])).code, 0)
  t.equal((await cli(['config', 'get', 'logLevel', '--node=node1'])).stdout, 'warning (inherited from global)\n')
  t.equal((await cli(['config', 'set', 'logLevel', 'none'])).code, 0)
  t.equal((await cli(['config', 'get', 'logLevel'])).stdout, 'none\n')
  t.equal((await cli(['config', 'unset', 'logLevel'])).code, 0)
  t.equal((await cli(['config', 'get', 'logLevel'])).stdout, 'info\n')
})

t.test('asNumber per node lives in the Node resource', async (t) => {
  const missing = await cli(['config', 'set', 'asNumber', '65001', '--node=nodex'])
  t.equal(missing.code, 1)
  t.equal(missing.stdout, '')
  t.match(missing.stderr, /^Failed to execute command: node 'nodex' does not exist[^\n]*\n$/)

  const node = 'apiVersion: projectcalico.org/v3\nkind: Node\nmetadata:\n  name: nodex\nspec:\n  bgp:\n    ipv4Address: 10.99.0.5/24\n'
  t.equal((await cli(['create', '-f', '-'], { input: node })).code, 0)
  t.equal((await cli(['config', 'get', 'asNumber', '--node=nodex'])).stdout, '64513 (inherited from global)\n')
  t.equal((await cli(['config', 'set', 'asNumber', '65001', '--node=nodex'])).code, 0)
  t.equal((await cli(['config', 'get', 'asNumber', '--node=nodex'])).stdout, '65001\n')
  t.match(await stored('nodes', 'nodex'), { spec: { bgp: { asNumber: 65001, ipv4Address: '10.99.0.5/24' } } })
  t.equal((await cli(['config', 'get', 'asNumber'])).stdout, '64513\n', 'the global value is untouched')
})

t.test('bad values: one line naming the value, exit 1, nothing written', async (t) => {
  const before = await stored('bgpconfigurations', 'default')
  const cases: [string[], RegExp][] = [
    [['config', 'set', 'asNumber', '4294967296'], /^Failed to execute command: invalid AS number: AS number must be between 1 and 4294967295, got 4294967296\n$/],
    [['config', 'set', 'asNumber', 'sixty'], /^Failed to execute command: invalid AS number: "sixty" is not an AS number/],
    [['config', 'set', 'asNumber', '0'], /^Failed to execute command: invalid AS number: AS number must be between 1 and 4294967295, got 0\n$/],
    [['config', 'set', 'nodeToNodeMesh', 'maybe'], /^Failed to execute command: invalid value 'maybe' for nodeToNodeMesh \(expected on or off\)\n$/],
    [['config', 'set', 'logLevel', 'loud'], /^Failed to execute command: invalid value 'loud' for logLevel \(expected one of debug, info, warning, error, critical, none\)\n$/],
    [['config', 'get', 'ipip'], /^Failed to execute command: unrecognised config name 'ipip' \(expected one of asNumber, nodeToNodeMesh, logLevel\)\n$/],
    [['config', 'set', 'nodeToNodeMesh', 'off', '--node=node1'], /^Failed to execute command: --node should not be specified for nodeToNodeMesh/],
  ]
  for (const [args, message] of cases) {
    const r = await cli(args)
    t.equal(r.code, 1, args.join(' '))
    t.equal(r.stdout, '', args.join(' '))
    t.match(r.stderr, message, args.join(' '))
    t.equal(r.stderr.split('\n').length, 2, `one line: ${args.join(' ')}`)
  }
  t.same(await stored('bgpconfigurations', 'default'), before)
})

t.test('concurrent config writers both land (compare-and-swap with retry)', async (t) => {
  const results = await Promise.all([
    cli(['config', 'set', 'nodeToNodeMesh', 'off']),
    cli(['config', 'set', 'asNumber', '64600']),
    cli(['config', 'set', 'logLevel', 'error']),
  ])
  t.same(results.map((r) => r.code), [0, 0, 0], results.map((r) => r.stderr).join(''))
  t.match(await stored('bgpconfigurations', 'default'), { spec: { nodeToNodeMeshEnabled: false, asNumber: 64600, logSeverityScreen: 'Error' } })
})
