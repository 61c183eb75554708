/**
 * The shipped unit passes `systemd-analyze verify` on this machine's systemd (with
 * ExecStart pointed at this checkout's bin/falconer, since /usr/bin/falconer is not
 * installed here), and the example environment file is one `node run` accepts.
 */
import t from 'tap'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execa } from 'execa'
import { AGENT_NODE_FLAGS } from '../../../src/node/startup/launch-plan.js'
import { resolveNodeRunConfig } from '../../../src/node/startup/run-config.js'
import { REPO_ROOT } from '../../helpers/cli.js'
import { BIN } from './run-helpers.js'

const UNIT = join(REPO_ROOT, 'systemd/falconer.service')
const ENV_EXAMPLE = join(REPO_ROOT, 'systemd/calico.env.example')

function directives(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>()
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line.trim())
    if (m) out.set(m[1]!, [...(out.get(m[1]!) ?? []), m[2]!])
  }
  return out
}

t.test('systemd-analyze verify accepts the unit', async (t) => {
  const text = await readFile(UNIT, 'utf8')
  t.match(text, /^ExecStart=\/usr\/bin\/falconer node run --init-system$/m)
  const dir = await mkdtemp(join(tmpdir(), 'falconer-unit-'))
  t.teardown(() => rm(dir, { recursive: true, force: true }))
  const copy = join(dir, 'falconer.service')
  t.match(text, /^ExecStop=-\/usr\/bin\/falconer node drain --on-stop$/m, 'the stop path drains when FALCONER_DRAIN_ON_STOP asks')
  await writeFile(copy, text.replace(/^(Exec\w+=-?)\/usr\/bin\/falconer /gm, `$1${BIN} `))
  const r = await execa('systemd-analyze', ['verify', copy], { reject: false, timeout: 120_000 })
  t.equal(r.exitCode, 0, r.stderr)
  t.equal(r.stderr, '', 'no warnings either')
})

t.test('the unit restarts with a budget and is hardened to what BGP needs', async (t) => {
  const d = directives(await readFile(UNIT, 'utf8'))
  t.same(d.get('EnvironmentFile'), ['/etc/calico/calico.env'])
  t.same(d.get('Environment'), [`NODE_OPTIONS=${AGENT_NODE_FLAGS.join(' ')}`], "the agent's node flags, as the detached launch passes them")
  t.same(d.get('Restart'), ['always'])
  t.same(d.get('Type'), ['notify'], 'ready when the first config is applied')
  t.same(d.get('NotifyAccess'), ['all'], 'systemd-notify, a child, sends the messages')
  t.ok(Number(d.get('WatchdogSec')?.[0]) > 0, 'WatchdogSec')
  t.ok(Number(d.get('RestartSec')?.[0]) > 0, 'RestartSec')
  t.ok(d.has('StartLimitIntervalSec') && d.has('StartLimitBurst'), 'a start limit')
  t.same(d.get('NoNewPrivileges'), ['yes'])
  t.same(d.get('ProtectSystem'), ['strict'])
  t.same(d.get('ReadWritePaths'), ['/etc/calico /var/run/calico /var/lib/calico /var/log/calico'])
  t.same(d.get('ProtectHome'), ['yes'])
  t.same(d.get('PrivateTmp'), ['yes'])
  t.same(d.get('CapabilityBoundingSet'), ['CAP_NET_ADMIN CAP_NET_BIND_SERVICE CAP_NET_RAW'])
  t.same(d.get('AmbientCapabilities'), ['CAP_NET_ADMIN CAP_NET_BIND_SERVICE CAP_NET_RAW'])
  t.notOk(d.has('ProtectKernelTunables'), '/proc/sys stays writable: startup enables IP forwarding')
})

t.test('the example environment file is valid for node run', async (t) => {
  const env: Record<string, string> = {}
  for (const line of (await readFile(ENV_EXAMPLE, 'utf8')).split('\n')) {
    // Commented-out settings are examples too: every one of them must be accepted.
    const m = /^#?([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim())
    if (m) env[m[1]!] = m[2]!
  }
  t.ok(env.ETCD_ENDPOINTS && env.NODENAME && env.IP && env.AS, 'the operator-facing names are documented')
  // The file lists IP6 and both pool CIDRs; NO_DEFAULT_POOLS is its opposite, so drop it here.
  delete env.NO_DEFAULT_POOLS
  const c = resolveNodeRunConfig({ initSystem: true }, env)
  t.same(c.mode, { kind: 'foreground' })
  t.equal(c.nodeName?.value, 'node-1')
  t.equal(c.backend, 'bird')
  t.equal(c.asNumber?.value, 64512)
})
