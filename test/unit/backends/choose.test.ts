import t from 'tap'
import { symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { BirdVersionError, chooseBirdBackend, parseBirdVersion, probeBird } from '../../../src/backends/backend.js'
import { requireBird2 } from '../../helpers/bird2.js'

/** `--backend=bird` picks the backend by asking the real executables their version. */
const bird2 = requireBird2()

t.test('parseBirdVersion', async (t) => {
  t.same(parseBirdVersion('BIRD version 1.6.8\n'), { major: 1, version: '1.6.8' })
  t.same(parseBirdVersion('BIRD version 2.0.12'), { major: 2, version: '2.0.12' })
  t.same(parseBirdVersion('BIRD version 3.0'), { major: 3, version: '3.0' })
  t.equal(parseBirdVersion('bird: unknown option'), undefined)
})

t.test("Debian's BIRD 1.6 on PATH: bird1, with bird6 and birdc by name", async (t) => {
  const install = await probeBird('bird')
  t.same(install, { generation: 1, version: '1.6.8', bird: 'bird', birdc: 'birdc', bird6: 'bird6' })
  t.equal((await chooseBirdBackend('bird')).name, 'bird1')
})

t.test('BIRD 1.6 by path: bird6 and birdc beside it', async (t) => {
  const install = await probeBird('/usr/sbin/bird')
  t.same(install, { generation: 1, version: '1.6.8', bird: '/usr/sbin/bird', birdc: '/usr/sbin/birdc', bird6: '/usr/sbin/bird6' })
})

t.test('the unpacked BIRD 2: bird2, birdc beside it, no bird6', async (t) => {
  const install = await probeBird(bird2)
  t.equal(install.generation, 2)
  t.match(install.version, /^2\.\d+/)
  t.equal(install.birdc, join(bird2, '..', 'birdc'))
  t.equal(install.bird6, undefined)
  const backend = await chooseBirdBackend(bird2)
  t.equal(backend.name, 'bird2')
})

t.test('BIRD 1.6 without bird6 beside it is refused, naming both', async (t) => {
  const dir = t.testdir({})
  symlinkSync('/usr/sbin/bird', join(dir, 'bird'))
  const err = await probeBird(join(dir, 'bird')).catch((e: unknown) => e)
  t.type(err, BirdVersionError)
  t.match((err as Error).message, join(dir, 'bird'))
  t.match((err as Error).message, `${join(dir, 'bird6')} does not exist`)
})

t.test('an executable that is no BIRD, or none at all: a clear error naming it', async (t) => {
  const notBird = await probeBird('/bin/true').catch((e: unknown) => e)
  t.type(notBird, BirdVersionError)
  t.match((notBird as Error).message, /BIRD executable \/bin\/true: --version printed no BIRD version/)
  const missing = await probeBird('/nonexistent/bird').catch((e: unknown) => e)
  t.type(missing, BirdVersionError)
  t.match((missing as Error).message, /BIRD executable \/nonexistent\/bird: cannot run it/)
  t.match((missing as Error).message, /FALCONER_BIRD_BIN/)
})
