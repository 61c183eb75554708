/**
 * Keeps the unit-test fixtures honest: builds the namespaces they were taken from and
 * checks the kernel still reports the same thing (as parsed). With
 * FALCONER_UPDATE_FIXTURES=1 it rewrites them from the live namespaces instead.
 */
import t, { type Test } from 'tap'
import { readFile, writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { parseIpAddrJson, listInterfaces, type Iface } from '../../../src/node/interfaces.js'
import { createNetns, ipIn, removeStaleNamespaces, runnerIn, type Netns } from '../../helpers/netns.js'
import { buildAutodetectTopology, NETNS_PREFIX, waitUntilSettled } from './topology.js'

const FIXTURES = new URL('../../unit/autodetect/fixtures/', import.meta.url)
const update = process.env.FALCONER_UPDATE_FIXTURES === '1'

// Indexes depend on creation details the selection never looks at.
const comparable = (ifaces: Iface[]) => ifaces.map(({ index: _index, ...rest }) => rest)

async function check(t: Test, ns: Netns, file: string) {
  const live = await ipIn(ns, ['-j', 'addr', 'show'])
  const path = fileURLToPath(new URL(file, FIXTURES))
  if (update) {
    await writeFile(path, `${JSON.stringify(JSON.parse(live), null, 2)}\n`)
    t.comment(`wrote ${path}`)
  }
  const fixture = parseIpAddrJson(await readFile(path, 'utf8'))
  t.same(comparable(parseIpAddrJson(live)), comparable(fixture), `${file} matches what the kernel reports`)
  // The effectful wrapper, run inside the namespace, sees the same.
  t.same(comparable(await listInterfaces(runnerIn(ns))), comparable(fixture), 'listInterfaces via ip netns exec agrees')
}

t.before(async () => {
  await removeStaleNamespaces(NETNS_PREFIX)
})

t.test('ip-addr-lab.json: the autodetect topology', async (t) => {
  const { ns } = await buildAutodetectTopology(t)
  await waitUntilSettled(ns)
  await check(t, ns, 'ip-addr-lab.json')
})

t.test('ip-addr-lo-only.json: a fresh namespace', async (t) => {
  const ns = await createNetns(t, NETNS_PREFIX)
  await check(t, ns, 'ip-addr-lo-only.json')
})
