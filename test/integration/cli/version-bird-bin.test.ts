import { execFileSync } from 'node:child_process'
import { chmod, cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { BIRD2_BIN, requireBird2 } from '../../helpers/bird2.js'
import { CLI_BIN, REPO_ROOT, ensureBuilt, runCli } from '../../helpers/cli.js'
import { startEtcd } from '../../helpers/etcd.js'
import { addAddress, addDummy, createNetns, exec, linkUp, removeStaleNamespaces } from '../../helpers/netns.js'
import { bridgeEtcdInto } from '../node/etcd-bridge.js'

// `falconer version` names the commit the build came from and the BIRD the agent would
// drive (--bird-bin / FALCONER_BIRD_BIN, probed as the agent probes it); `node run` refuses
// a BIRD it cannot drive before it writes anything to the datastore.

t.setTimeout(600_000)
const NETNS_PREFIX = 'vb'
await removeStaleNamespaces(NETNS_PREFIX)
await ensureBuilt()

const dir = await mkdtemp(join(tmpdir(), 'falconer-version-'))
t.teardown(() => rm(dir, { recursive: true, force: true }))

/** An executable that answers --version like a BIRD of another generation. */
const bird3 = join(dir, 'bird3')
await writeFile(bird3, '#!/bin/sh\necho "BIRD version 3.0.0" >&2\n')
await chmod(bird3, 0o755)

// No datastore: the version lines come first, the cluster line reports the outage.
const offline = { ETCD_ENDPOINTS: 'http://127.0.0.1:1', FALCONER_PREFIX: dir, FALCONER_BIRD_BIN: '' }
const field = (out: string, name: string) => new RegExp(`^${name}:\\s+(.*)$`, 'm').exec(out)?.[1]

t.test('Git Commit: the commit recorded at build time', async (t) => {
  const head = execFileSync('git', ['-C', REPO_ROOT, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim()
  const recorded = (JSON.parse(await readFile(join(REPO_ROOT, 'dist/build-info.json'), 'utf8')) as { commit: string }).commit
  t.match(recorded, new RegExp(`^${head}(-dirty)?$`), 'build-info.json holds HEAD (marked when the tree has changes)')
  const r = await runCli(['version', '--datastore-timeout', '1'], { env: offline })
  t.equal(r.code, 0, r.stderr)
  t.equal(field(r.stdout, 'Git Commit'), recorded)
  t.equal(field(r.stdout, 'Client Version'), `v${(JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version}`)
})

t.test('a build from a tree without .git says unknown', async (t) => {
  // An unpacked tarball: the built code and the scripts, no .git.
  const copy = join(dir, 'tarball')
  await mkdir(join(copy, 'scripts'), { recursive: true })
  await Promise.all([
    cp(join(REPO_ROOT, 'dist'), join(copy, 'dist'), { recursive: true }),
    cp(join(REPO_ROOT, 'bin'), join(copy, 'bin'), { recursive: true }),
    cp(join(REPO_ROOT, 'package.json'), join(copy, 'package.json')),
    cp(join(REPO_ROOT, 'scripts/build-info.mjs'), join(copy, 'scripts/build-info.mjs')),
    symlink(join(REPO_ROOT, 'node_modules'), join(copy, 'node_modules')),
  ])
  execFileSync('node', [join(copy, 'scripts/build-info.mjs')])
  t.same(JSON.parse(await readFile(join(copy, 'dist/build-info.json'), 'utf8')), { commit: 'unknown' })
  const r = await runCli(['version', '--datastore-timeout', '1'], { env: offline, bin: join(copy, 'bin/falconer') })
  t.equal(r.code, 0, r.stderr)
  t.equal(field(r.stdout, 'Git Commit'), 'unknown')
  // …and a build that recorded nothing (tsc alone) says the same.
  await rm(join(copy, 'dist/build-info.json'))
  const bare = await runCli(['version', '--datastore-timeout', '1'], { env: offline, bin: join(copy, 'bin/falconer') })
  t.equal(field(bare.stdout, 'Git Commit'), 'unknown')
})

t.test('BIRD Version: the BIRD the agent would choose', async (t) => {
  const byDefault = await runCli(['version', '--datastore-timeout', '1'], { env: offline })
  t.equal(field(byDefault.stdout, 'BIRD Version'), '1.6.8 (BIRD 1.6: bird and bird6)', 'default: bird on PATH')

  const bird2 = requireBird2()
  const byFlag = await runCli(['version', '--bird-bin', bird2, '--datastore-timeout', '1'], { env: offline })
  t.equal(field(byFlag.stdout, 'BIRD Version'), `2.0.12 (BIRD 2: ${BIRD2_BIN}, one daemon)`, '--bird-bin')
  const byEnv = await runCli(['version', '--datastore-timeout', '1'], { env: { ...offline, FALCONER_BIRD_BIN: bird2 } })
  t.equal(field(byEnv.stdout, 'BIRD Version'), `2.0.12 (BIRD 2: ${BIRD2_BIN}, one daemon)`, 'FALCONER_BIRD_BIN')

  const other = await runCli(['version', '--bird-bin', bird3, '--datastore-timeout', '1'], { env: offline })
  t.equal(other.code, 0, 'version still succeeds')
  t.equal(
    field(other.stdout, 'BIRD Version'),
    `not usable (BIRD executable ${bird3}: BIRD 3.0.0 is not supported (falconer drives BIRD 1.6 and BIRD 2) (set FALCONER_BIRD_BIN or --bird-bin to a BIRD 1.6 or 2.x bird))`,
  )
  const missing = await runCli(['version', '--bird-bin', join(dir, 'nope'), '--datastore-timeout', '1'], { env: offline })
  t.match(field(missing.stdout, 'BIRD Version'), /^not usable \(BIRD executable .*nope: cannot run it: /)
})

t.test('node run refuses a BIRD it cannot drive before it writes anything', async (t) => {
  const etcd = await startEtcd(t)
  const ns = await createNetns(t, NETNS_PREFIX)
  await addDummy(ns, 'eth0')
  await addAddress(ns, 'eth0', '10.99.61.2/24')
  await linkUp(ns, 'eth0')
  const endpoint = await bridgeEtcdInto(t, etcd, ns)
  const prefix = join(dir, 'node')
  const expected = `BIRD executable ${bird3}: BIRD 3.0.0 is not supported (falconer drives BIRD 1.6 and BIRD 2) (set FALCONER_BIRD_BIN or --bird-bin to a BIRD 1.6 or 2.x bird)`
  const cases: [string, string[], Record<string, string>][] = [
    ['--init-system, --bird-bin', ['--init-system', '--bird-bin', bird3], {}],
    ['--init-system, FALCONER_BIRD_BIN', ['--init-system'], { FALCONER_BIRD_BIN: bird3 }],
    ['detached', ['--bird-bin', bird3], {}],
  ]
  for (const [what, args, env] of cases) {
    const r = await exec(ns, process.execPath, [CLI_BIN, 'node', 'run', '--node', 'vb-1', '--ip', '10.99.61.2', '--prefix', prefix, ...args], {
      reject: false,
      timeoutMs: 120_000,
      env: { DATASTORE_TYPE: 'etcdv3', ETCD_ENDPOINTS: endpoint, NODENAME: '', ...env },
    })
    t.not(r.exitCode, 0, `${what}: exit status`)
    t.equal(r.stdout, '', `${what}: no startup lines`)
    t.equal(r.stderr, `Failed to execute command: ${expected}`, `${what}: the BirdVersionError text (one line)`)
    t.equal(await etcd.etcdctl(['get', '/calico/', '--prefix', '--keys-only']), '', `${what}: nothing in etcd`)
  }
})
