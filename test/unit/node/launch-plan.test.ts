import t from 'tap'
import { agentLaunchPlan, formatCommand, renderDryRun, shellQuote } from '../../../src/node/startup/launch-plan.js'
import { resolveNodeRunConfig } from '../../../src/node/startup/run-config.js'

const base = {
  nodeName: 'n1',
  execPath: '/usr/bin/node',
  binPath: '/opt/falconer/bin/falconer',
  settingsArgs: ['--prefix=/srv/lab'],
  logFile: '/srv/lab/var/log/calico/falconer.log',
  pidFile: '/srv/lab/var/run/calico/falconer.pid',
}

t.test('the agent gets the resolved config as flags and only the settings environment', async (t) => {
  const env = {
    PATH: '/usr/bin:/bin',
    HOME: '/root',
    ETCD_ENDPOINTS: 'http://127.0.0.1:2379',
    ETCD_PASSWORD: 's3cret',
    FALCONER_LOG_LEVEL: 'debug',
    IP: '10.99.9.9',
    CALICO_IPV4POOL_CIDR: '10.98.0.0/16',
    CALICO_ROUTER_ID: 'hash',
  }
  const config = resolveNodeRunConfig({ ip: '10.99.1.2', as: '64513', ipAutodetectionMethod: 'interface=eth0' }, env)
  const plan = agentLaunchPlan({ ...base, config, env })
  t.same(plan.args, [
    '--max-semi-space-size=1', // V8 reads it only at start: on the agent's command line
    '/opt/falconer/bin/falconer', 'node', 'run', '--init-system', '--prefix=/srv/lab',
    '--node=n1', '--ip=10.99.1.2', '--ip-autodetection-method=interface=eth0', '--as=64513', '--backend=bird',
  ])
  t.same(plan.env, {
    PATH: '/usr/bin:/bin',
    ETCD_ENDPOINTS: 'http://127.0.0.1:2379',
    ETCD_PASSWORD: 's3cret',
    FALCONER_LOG_LEVEL: 'debug',
    CALICO_IPV4POOL_CIDR: '10.98.0.0/16',
    CALICO_ROUTER_ID: 'hash',
  }, 'IP is folded into --ip; HOME is not passed')
})

t.test('--no-default-ippools, autodetect, backend none, log dir', async (t) => {
  const config = resolveNodeRunConfig(
    { ip: 'autodetect', ip6: 'fd99::2/64', noDefaultIppools: true, backend: 'none', logDir: '/srv/log' },
    {},
  )
  const plan = agentLaunchPlan({ ...base, settingsArgs: [], config, env: {} })
  t.same(plan.args.slice(5), ['--node=n1', '--ip=autodetect', '--ip6=fd99::2/64', '--backend=none', '--no-default-ippools', '--log-dir=/srv/log'])
  t.same(Object.keys(plan.env), ['PATH'], 'a default PATH when none is set')
})

t.test('dry run, detached: the background command with its log redirection', async (t) => {
  const config = resolveNodeRunConfig({ dryrun: true, ip: '10.99.1.2' }, {})
  const plan = agentLaunchPlan({ ...base, config, env: { PATH: '/usr/bin:/bin', ETCD_ENDPOINTS: 'http://127.0.0.1:2379' } })
  t.equal(
    renderDryRun(plan, { initSystem: false, registerOnly: false }, 'n1'),
    [
      'Use the following command to start the falconer agent:',
      '',
      'setsid env -i PATH=/usr/bin:/bin ETCD_ENDPOINTS=http://127.0.0.1:2379 /usr/bin/node --max-semi-space-size=1 /opt/falconer/bin/falconer node run --init-system --prefix=/srv/lab --node=n1 --ip=10.99.1.2 --backend=bird >>/srv/lab/var/log/calico/falconer.log 2>&1 </dev/null &',
      '',
      'If you are running falconer in an init system, use the --init-system flag',
      'to display the appropriate start and stop commands.',
      '',
    ].join('\n'),
  )
})

t.test('dry run, init system: start and stop commands', async (t) => {
  const config = resolveNodeRunConfig({ dryrun: true, initSystem: true }, {})
  const plan = agentLaunchPlan({ ...base, config, env: { PATH: '/usr/bin:/bin' } })
  t.equal(
    renderDryRun(plan, { initSystem: true, registerOnly: false }, 'n1'),
    [
      'Use the following command to start the falconer agent:',
      '',
      'env -i PATH=/usr/bin:/bin /usr/bin/node --max-semi-space-size=1 /opt/falconer/bin/falconer node run --init-system --prefix=/srv/lab --node=n1 --backend=bird',
      '',
      'Use the following command to stop the falconer agent:',
      '',
      'kill -TERM "$(cat /srv/lab/var/run/calico/falconer.pid)"',
      '',
      '',
    ].join('\n'),
  )
  t.equal(
    renderDryRun(plan, { initSystem: false, registerOnly: true }, 'n1'),
    "With --runtime=none nothing is started: falconer registers node 'n1' in the datastore and exits.\n",
  )
})

t.test('secrets are printed by reference; odd values are quoted', async (t) => {
  const config = resolveNodeRunConfig({ ipAutodetectionMethod: 'interface=eth.*,en p0' }, {})
  const plan = agentLaunchPlan({
    ...base,
    binPath: "/opt/it's/falconer",
    config,
    env: { PATH: '/bin', ETCD_PASSWORD: "pa ss'wd", ETCD_USERNAME: 'root' },
  })
  const cmd = formatCommand(plan)
  t.notMatch(cmd, /pa ss/, 'the password itself never appears')
  t.match(cmd, /ETCD_PASSWORD="\$ETCD_PASSWORD"/)
  t.match(cmd, /'\/opt\/it'\\''s\/falconer'/)
  t.match(cmd, /'--ip-autodetection-method=interface=eth\.\*,en p0'/)
  t.equal(shellQuote(''), "''")
  t.equal(shellQuote('a=b,c:d/e.f-g_h@i%j+k'), 'a=b,c:d/e.f-g_h@i%j+k')
})
