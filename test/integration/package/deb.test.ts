/**
 * The Debian package as an operator gets it: `scripts/package-deb.sh` builds it, lintian
 * finds no error, and dpkg installs, runs, removes and purges it in a throwaway root.
 *
 * The root is a directory with an empty dpkg database; dpkg runs the maintainer scripts
 * chrootless with DPKG_ROOT set to it (the mechanism Debian's own bootstrap tools use), so
 * every path they touch must go through DPKG_ROOT — a script that wrote to the host's
 * /etc would show up in the host checks below. Dependencies are not installed in the
 * throwaway root (--force-depends): the host's node runs the installed launcher.
 */
import t from 'tap'
import { existsSync, lstatSync, readdirSync, readlinkSync, statSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { execa } from 'execa'
import { REPO_ROOT, ensureBuilt } from '../../helpers/cli.js'

// npm ci, lintian (slow on a loaded machine) and three dpkg runs: more than the default file timeout.
t.setTimeout(900_000)

const VERSION = (JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version
const UNIT = 'falconer.service'

/** Every path below root, directories with a trailing '/', the dpkg database left out. */
function tree(root: string, dir = root, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    const rel = relative(root, path)
    if (rel === 'var/lib/dpkg') continue
    if (entry.isDirectory()) {
      out.push(`${rel}/`)
      tree(root, path, out)
    } else out.push(rel)
  }
  return out.sort()
}

const work = await mkdtemp(join(tmpdir(), 'falconer-deb-'))
t.teardown(() => rm(work, { recursive: true, force: true }))
await ensureBuilt()
const built = await execa(join(REPO_ROOT, 'scripts/package-deb.sh'), ['--no-build', work], { reject: false, timeout: 240_000 })
const deb = join(work, `falconer_${VERSION}_all.deb`)

t.test('package-deb.sh builds falconer_<version>_all.deb with the promised fields', async (t) => {
  t.equal(built.exitCode, 0, built.stderr)
  t.equal(built.stdout.trim().split('\n').at(-1), deb, 'prints where it wrote the package')
  const control = (await execa('dpkg-deb', ['-f', deb])).stdout
  t.match(control, /^Package: falconer$/m)
  t.match(control, new RegExp(`^Version: ${VERSION.replace(/\./g, '\\.')}$`, 'm'))
  t.match(control, /^Architecture: all$/m)
  t.match(control, /^Depends: nodejs \(>= 20\), bird \| bird2, iproute2, /m)
  const conffiles = (await execa('dpkg-deb', ['--info', deb, 'conffiles'])).stdout
  t.equal(conffiles.trim(), '/etc/calico/calico.env')
  const listing = (await execa('dpkg-deb', ['-c', deb])).stdout
  t.match(listing, /^-rw------- root\/root .* \.\/etc\/calico\/calico\.env$/m, 'calico.env is 0600 root:root')
  t.match(listing, /^lrwxrwxrwx root\/root .* \.\/usr\/bin\/falconer -> \.\.\/lib\/falconer\/bin\/falconer$/m)
  t.match(listing, /\.\/lib\/systemd\/system\/falconer\.service$/m)
  t.match(listing, /\.\/usr\/share\/bash-completion\/completions\/falconer$/m)
  t.match(listing, /\.\/usr\/share\/doc\/falconer\/changelog\.gz$/m)
  t.match(listing, /\.\/usr\/share\/doc\/falconer\/copyright$/m)
  t.match(listing, /\.\/usr\/share\/doc\/falconer\/examples\/prometheus\/falconer-rules\.yml$/m)
  t.match(listing, /\.\/usr\/lib\/falconer\/node_modules\/etcd3\/package\.json$/m, 'production dependencies')
  t.notMatch(listing, /node_modules\/(typescript|tap)\//, 'no development dependencies')
  t.notMatch(listing, /usr\/lib\/falconer\/dist\/.*\.map$/m, 'no source maps')
})

t.test('lintian reports no error', async (t) => {
  const r = await execa('lintian', ['--tag-display-limit', '0', deb], { reject: false, timeout: 240_000 })
  const errors = r.stdout.split('\n').filter((l) => l.startsWith('E: '))
  t.same(errors, [], r.stdout)
  t.comment(`lintian:\n${r.stdout}`)
})

t.test('installs into a throwaway root, runs from there, removes and purges without a trace', async (t) => {
  const root = join(work, 'root')
  const admin = join(root, 'var/lib/dpkg')
  for (const d of ['info', 'updates', 'triggers']) await mkdir(join(admin, d), { recursive: true })
  await writeFile(join(admin, 'status'), '')
  await writeFile(join(admin, 'available'), '')
  await mkdir(join(root, 'var/log'), { recursive: true }) // there on every host
  const hostEnabled = '/etc/systemd/system/multi-user.target.wants/falconer.service'
  const hostHad = existsSync(hostEnabled)
  const dpkg = (...args: string[]) =>
    execa('dpkg', [`--root=${root}`, '--force-script-chrootless', '--force-depends', ...args], { reject: false, timeout: 120_000 })

  const install = await dpkg('-i', deb)
  t.equal(install.exitCode, 0, install.stderr)
  t.match(install.stdout, /enabled, not started/, 'postinst tells the operator what to do next')
  const status = (await execa('dpkg', [`--root=${root}`, '-s', 'falconer'])).stdout
  t.match(status, /^Status: install ok installed$/m)

  t.equal(statSync(join(root, 'etc/calico/calico.env')).mode & 0o777, 0o600, 'conffile installed 0600')
  const wants = join(root, 'etc/systemd/system/multi-user.target.wants', UNIT)
  t.equal(readlinkSync(wants), `/lib/systemd/system/${UNIT}`, 'enabled on install (deb-systemd-helper)')
  t.equal(existsSync(hostEnabled), hostHad, "the host's own systemd state is untouched")

  const bin = join(root, 'usr/bin/falconer')
  const version = await execa(bin, ['--version'], { reject: false })
  t.equal(version.exitCode, 0, version.stderr)
  t.equal(version.stdout.trim(), VERSION)
  const dry = await execa(bin, ['--prefix', root, 'node', 'run', '--dryrun', '--init-system', '--name', 'deb-node'], {
    reject: false,
    env: { NODENAME: '' },
  })
  t.equal(dry.exitCode, 0, dry.stderr)
  t.match(dry.stdout, new RegExp(`${bin.replace(/[.]/g, '\\.')} node run --init-system --prefix=${root.replace(/[.]/g, '\\.')} --node=deb-node`))

  // Files an agent would have left behind: rendered configs, its pid and its log.
  await mkdir(join(root, 'etc/calico/confd/config'), { recursive: true })
  await writeFile(join(root, 'etc/calico/confd/config/bird.cfg'), 'router id 10.99.0.1;\n')
  await mkdir(join(root, 'var/log/calico'))
  await writeFile(join(root, 'var/log/calico/falconer.log'), '{}\n')

  const remove = await dpkg('-r', 'falconer')
  t.equal(remove.exitCode, 0, remove.stderr)
  t.notOk(existsSync(join(root, 'usr/lib/falconer')), 'code removed')
  t.notOk(existsSync(bin), 'launcher removed')
  t.ok(existsSync(join(root, 'etc/calico/calico.env')), 'remove keeps the conffile')
  t.equal(readlinkSync(join(root, 'etc/systemd/system', UNIT)), '/dev/null', 'removed unit masked until purge')

  const purge = await dpkg('-P', 'falconer')
  t.equal(purge.exitCode, 0, purge.stderr)
  const left = tree(root)
  // /var/log and deb-systemd-helper's state directories exist on every systemd host;
  // nothing else stays.
  t.same(left.filter((p) => !p.endsWith('/')), [], 'no file left after purge')
  t.strictSame(left, ['etc/', 'etc/systemd/', 'etc/systemd/system/', 'var/', 'var/lib/', 'var/lib/systemd/', 'var/log/'], 'only empty directories')
  for (const p of left) t.ok(lstatSync(join(root, p)).isDirectory())
  const after = await execa('dpkg', [`--root=${root}`, '-s', 'falconer'], { reject: false })
  t.not(after.exitCode, 0, 'dpkg no longer knows the package')
})
