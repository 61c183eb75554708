import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { resolveNodeName, resolveNodeNameWithSource } from '../../../src/node/nodename.js'

const dir = await mkdtemp(join(tmpdir(), 'falconer-nodename-'))
t.teardown(() => rm(dir, { recursive: true, force: true }))
const file = join(dir, 'nodename')
await writeFile(file, '  from-file\n')
const missing = join(dir, 'absent')

t.test('precedence: flag, NODENAME, nodename file, lower-cased host name', async (t) => {
  t.same(resolveNodeNameWithSource({ name: 'flag', env: { NODENAME: 'env' }, nodenameFile: file, hostname: 'Host' }), { name: 'flag', source: 'flag' })
  t.same(resolveNodeNameWithSource({ env: { NODENAME: 'env' }, nodenameFile: file, hostname: 'Host' }), { name: 'env', source: 'env' })
  t.same(resolveNodeNameWithSource({ env: {}, nodenameFile: file, hostname: 'Host' }), { name: 'from-file', source: 'file' })
  t.same(resolveNodeNameWithSource({ env: {}, nodenameFile: missing, hostname: 'My-Host.Example' }), { name: 'my-host.example', source: 'hostname' })
})

t.test('empty values fall through', async (t) => {
  const empty = join(dir, 'empty')
  await writeFile(empty, '\n')
  t.equal(resolveNodeName({ name: '  ', env: { NODENAME: '' }, nodenameFile: empty, hostname: 'h1' }), 'h1')
})

t.test('the host name defaults to os.hostname()', async (t) => {
  const { hostname } = await import('node:os')
  t.equal(resolveNodeName({}), hostname().trim().toLowerCase())
})

t.test('an unreadable nodename file is an error, not silently skipped', async (t) => {
  t.throws(() => resolveNodeName({ nodenameFile: dir }), { code: 'EISDIR' })
})
