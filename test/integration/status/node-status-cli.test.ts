import t from 'tap'
import { BirdSupervisor, birdDaemonSpecs } from '../../../src/bird/supervisor/index.js'
import { ensureBuilt, runCli } from '../../helpers/cli.js'
import { pollUntil } from '../../helpers/netns.js'
import { startBirdLab } from './bird-lab.js'

const NET = 41
const SINCE = /^\d\d:\d\d:\d\d$/

/** The table rows, split into cells, with SINCE checked for format and then masked. */
function rows(stdout: string): string[][] {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('| ') && !l.startsWith('| PEER ADDRESS'))
    .map((l) => l.split('|').slice(1, -1).map((c) => c.trim()))
}

t.test('node status against two real BIRDs: one Established mesh peer, one Active global peer', async (t) => {
  const [lab] = await Promise.all([startBirdLab(t, 'st', NET), ensureBuilt()])
  const expectedRows = [
    [`10.99.${NET}.2`, 'node-to-node mesh', 'up', 'SINCE', 'Established'],
    [`10.99.${NET}.9`, 'global', 'start', 'SINCE', 'Active Socket: No route to host'],
  ]

  // The Active session retries every second and is in Connect for an instant each time: poll.
  const result = await pollUntil(
    'node status to show the two sessions',
    async () => {
      const r = await runCli(['node', 'status', '--prefix', lab.prefix])
      const got = rows(r.stdout).map((row) => row.map((c, i) => (i === 3 && SINCE.test(c) ? 'SINCE' : c)))
      return JSON.stringify(got) === JSON.stringify(expectedRows) ? r : undefined
    },
    { timeoutMs: 60_000, intervalMs: 500 },
  )
  t.equal(result.code, 0)
  t.equal(result.stderr, '')
  const since = rows(result.stdout).map((r) => r[3] ?? '')
  t.match(since, [SINCE, SINCE], 'SINCE is the time of day, as calicoctl shows it')
  const [s1, s2] = since as [string, string]
  t.equal(
    result.stdout,
    [
      'Calico process is running.',
      '',
      'IPv4 BGP status',
      '+--------------+-------------------+-------+----------+---------------------------------+',
      '| PEER ADDRESS |     PEER TYPE     | STATE |  SINCE   |              INFO               |',
      '+--------------+-------------------+-------+----------+---------------------------------+',
      `| 10.99.${NET}.2   | node-to-node mesh | up    | ${s1} | Established                     |`,
      `| 10.99.${NET}.9   | global            | start | ${s2} | Active Socket: No route to host |`,
      '+--------------+-------------------+-------+----------+---------------------------------+',
      '',
      'IPv6 BGP status',
      'No IPv6 peers found.',
      '',
      '',
    ].join('\n'),
    'the calicoctl document layout',
  )

  const json = await runCli(['node', 'status', '--prefix', lab.prefix, '-o', 'json'])
  t.equal(json.code, 0)
  t.match(JSON.parse(json.stdout), {
    running: true,
    ipv4: {
      running: true,
      daemon: 'bird',
      peers: [
        { peerAddress: `10.99.${NET}.2`, peerType: 'node-to-node mesh', type: 'NodeMesh', protocol: `Mesh_10_99_${NET}_2`, state: 'up', since: /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/, bgpState: 'Established', info: 'Established' },
        { peerAddress: `10.99.${NET}.9`, peerType: 'global', type: 'GlobalPeer', protocol: `Global_10_99_${NET}_9`, state: 'start', bgpState: /^(Active|Connect)$/ },
      ],
    },
    ipv6: { running: true, daemon: 'bird6', peers: [] },
  })

  // Explicit socket paths instead of the prefix.
  const explicit = await runCli(['node', 'status', '--bird-socket', lab.paths.birdSocket, '--bird6-socket', lab.paths.bird6Socket])
  t.equal(explicit.code, 0)
  t.match(explicit.stdout, /node-to-node mesh \| up/)

  // bird6 gone: a note instead of its table.
  await lab.supervisor.stop()
  const v4only = new BirdSupervisor({ manage: true, daemons: birdDaemonSpecs(lab.paths, ['bird']), wrap: ['ip', 'netns', 'exec', lab.a.name] })
  t.teardown(() => v4only.stop())
  v4only.start()
  const note = await pollUntil(
    'node status with bird only',
    async () => {
      const r = await runCli(['node', 'status', '--prefix', lab.prefix])
      return r.stdout.includes('node-to-node mesh') ? r : undefined
    },
    { timeoutMs: 60_000, intervalMs: 500 },
  )
  t.equal(note.code, 0)
  t.match(note.stdout, /^Calico process is running\.\n\nIPv4 BGP status\n\+-/)
  t.match(note.stdout, /\n\nIPv6 BGP status\nNote: bird6 is not running; IPv6 status unavailable\.\n\n$/)

  // Nothing answers.
  await v4only.stop()
  const none = await runCli(['node', 'status', '--prefix', lab.prefix])
  t.equal(none.code, 1, 'exit 1 when no BIRD answers')
  t.equal(none.stdout, 'Calico process is not running.\n')
  t.match(none.stderr, /^Failed to execute command: BIRD is not answering \(bird: .*bird\.ctl.*; bird6: .*bird6\.ctl.*\); is the agent running, with this --prefix[^\n]*\n$/, 'stderr says why, per daemon')
})
