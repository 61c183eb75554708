// Fault scenarios: a hung BIRD, and the agent stopped by SIGTERM.
//
// 1. node-1's bird and bird6 are frozen with SIGSTOP. Every control-socket call fails within
//    its timeout: it times out, or, once the socket's queue of connections BIRD has not
//    accepted is full (8), the kernel refuses it at once (EAGAIN, "busy"),
//    /liveness and /readiness answer 503 naming the daemon, `falconer node status` answers
//    (BIRD not answering, exit 1) instead of hanging, and the supervisor leaves the frozen
//    processes alone: a BIRD that is stuck is not killed, let alone in a loop. On SIGCONT
//    everything recovers with the same BIRD processes and no restart counted.
// 2. SIGTERM, as systemd sends it: the agent exits and leaves no process behind in its
//    namespace, in the ordinary case and in the worst one (BIRD frozen during a
//    reconfiguration, etcd frozen too, so every goodbye the agent might wait for goes
//    unanswered). The times are printed; the
//    worst case must also end before systemd's TimeoutStopSec, after which systemd SIGKILLs.
import { readFile } from 'node:fs/promises'
import t from 'tap'
import { BirdControl, BirdTimeoutError, BirdUnavailableError } from '../../src/bird/control/index.js'
import { exec, processState } from '../helpers/netns.js'
import { startLab, waitEstablished, type LabNode } from '../helpers/lab.js'

/** How long BIRD stays frozen: several health polls (every 5 s) and control timeouts (5 s). */
const HANG_MS = 20_000
/** `node status --timeout` while BIRD is frozen, in seconds. */
const STATUS_TIMEOUT_S = 2
/** What node status says of a frozen BIRD: no answer in time, or its queue full. */
const NO_ANSWER = /did not answer "show status" .* within 2000 ms|not accepting connections: hung or overloaded/
/** systemd's TimeoutStopSec in systemd/falconer.service. */
const SYSTEMD_STOP_TIMEOUT_MS = 30_000
/**
 * In the worst case, how long etcd is frozen before the SIGTERM: longer than the agent's
 * CalicoNodeStatus round (every 5 s), so one of its etcd requests is surely in flight.
 */
const FROZEN_BEFORE_STOP_MS = 7_000

// An operator on a slow network may raise the datastore timeout (here past systemd's stop
// timeout): how long a stop takes must not depend on it.
const DATASTORE_TIMEOUT_S = 60

const lab = await startLab(t, { name: 'fh', nodes: 2, tor: false, agentEnv: { FALCONER_DATASTORE_TIMEOUT: String(DATASTORE_TIMEOUT_S) } })
const [n1, n2] = lab.nodes as [LabNode, LabNode]

async function birdPids(node: LabNode): Promise<(number | undefined)[]> {
  return Promise.all([lab.birdPid(node, 4), lab.birdPid(node, 6)])
}

/** falconer_bird_restarts_total, summed over bird and bird6. */
async function restartsCounted(node: LabNode): Promise<number> {
  const r = await exec(node.ns, 'curl', ['-sS', '-m', '5', `http://${node.plan.ipv4}:9099/metrics`], { timeoutMs: 10_000 })
  return [...r.stdout.matchAll(/^falconer_bird_restarts_total\{[^}]*\} (\d+)/gm)].reduce((sum, m) => sum + Number(m[1]), 0)
}

/** The one-letter state in /proc/PID/stat ('T' = stopped), or 'gone'. */
function signalAll(pids: readonly (number | undefined)[], sig: NodeJS.Signals): void {
  for (const pid of pids) if (pid !== undefined) process.kill(pid, sig)
}

t.test('a hung BIRD: calls time out, health says so, node status answers, SIGCONT recovers without a restart', async (t) => {
  const pids = await birdPids(n1)
  t.ok(pids.every((p) => p !== undefined), `node-1 runs bird and bird6 (${pids.join(', ')})`)
  const restartsBefore = await restartsCounted(n1)
  // The precondition is awaited, not assumed: BIRD starts only once its first config is
  // applied, and the agent polls it every 5 s, so a poll just before BIRD started leaves
  // health saying "not running" until the next one, although the lab is already up.
  await lab.waitFor('node-1 to be live and ready before the hang', async () =>
    (await lab.health(n1, 'liveness')).code === 200 && (await lab.health(n1, 'readiness')).code === 200, 120_000, 500)
  t.pass('liveness and readiness 200 before')
  const agentPid = lab.agentPid(n1)

  let resumed = false
  signalAll(pids, 'SIGSTOP')
  const frozenAt = Date.now()
  try {
    await lab.waitFor('bird and bird6 to be stopped', () => pids.every((p) => processState(p as number) === 'T'), 10_000, 50)
    t.pass('bird and bird6 are stopped (state T)')

    // Straight at the socket: the request is accepted by the kernel and never answered.
    for (const [family, socketPath] of [[4, n1.birdSocket], [6, n1.bird6Socket]] as const) {
      const control = new BirdControl({ socketPath, timeoutMs: 2_000 })
      try {
        const err = await control.request('show status').then(() => undefined, (e: unknown) => e)
        t.ok(err instanceof BirdTimeoutError || (err instanceof BirdUnavailableError && err.reason === 'busy'),
          `BIRD${family === 6 ? '6' : ''}: show status times out or is refused as busy (${err instanceof Error ? err.message : String(err)})`)
      } finally {
        await control.close()
      }
    }

    const live = await lab.waitFor('/liveness to fail', async () => {
      const h = await lab.health(n1, 'liveness')
      return h.code === 503 ? h : undefined
    }, 60_000, 1_000)
    t.match(live.body, /"bird"[\s\S]*"ok": false/, '/liveness 503: bird does not answer')
    const ready = await lab.health(n1, 'readiness')
    t.equal(ready.code, 503, '/readiness 503 too')
    t.comment(`health turned 503 ${((Date.now() - frozenAt) / 1000).toFixed(1)} s after SIGSTOP`)

    const started = Date.now()
    const status = await lab.falconer(n1, ['node', 'status', `--timeout=${STATUS_TIMEOUT_S}`], { timeoutMs: 60_000 })
    const took = Date.now() - started
    t.equal(status.code, 1, 'node status exits 1: no BIRD answers')
    t.match(status.stdout, /Calico process is not running/, 'node status: not running')
    t.match(status.stderr, NO_ANSWER, 'and says why on stderr (BIRD did not answer in time, or accepts no connections)')
    // The same start (process, ip netns exec, module load) without the BIRD calls: what is
    // left of `took` is node status waiting on the frozen daemons.
    const helpStarted = Date.now()
    await lab.falconer(n1, ['node', 'status', '--help'])
    const startOnly = Date.now() - helpStarted
    t.comment(`node status --timeout=${STATUS_TIMEOUT_S} answered in ${took} ms with BIRD frozen; the CLI start alone (node status --help) took ${startOnly} ms`)

    // The rest of the hang: the supervisor must leave the stuck daemons alone.
    while (Date.now() - frozenAt < HANG_MS) {
      await new Promise((r) => setTimeout(r, 2_000))
      t.same(await birdPids(n1), pids, `${Math.round((Date.now() - frozenAt) / 1000)} s frozen: same bird and bird6, not killed`)
    }
    t.same(pids.map((p) => processState(p as number)), ['T', 'T'], 'still stopped at the end of the hang')

    signalAll(pids, 'SIGCONT')
    resumed = true
  } finally {
    if (!resumed) signalAll(pids, 'SIGCONT')
  }
  const resumedAt = Date.now()

  await lab.waitFor('/liveness and /readiness to recover', async () =>
    (await lab.health(n1, 'liveness')).code === 200 && (await lab.health(n1, 'readiness')).code === 200, 60_000, 500)
  const recovered = Date.now() - resumedAt
  await waitEstablished(lab, { timeoutMs: 120_000 })
  t.pass('every session Established after SIGCONT')
  const status = await lab.falconer(n1, ['node', 'status'])
  t.equal(status.code, 0, 'node status answers again')
  t.same(await birdPids(n1), pids, 'the same bird and bird6 processes run')
  const restartsAfter = await restartsCounted(n1)
  t.equal(restartsAfter, restartsBefore, `no BIRD restart counted (falconer_bird_restarts_total ${restartsBefore} → ${restartsAfter})`)
  t.equal(lab.agentPid(n1), agentPid, 'the same agent')
  t.comment(`hang ${HANG_MS / 1000} s; health 200 again ${recovered} ms after SIGCONT; BIRD restarts during the hang: ${restartsAfter - restartsBefore}`)
})

t.test('SIGTERM: the agent exits promptly and leaves nothing behind', async (t) => {
  // The ordinary stop.
  const pids2 = await birdPids(n2)
  const plain = await lab.stopAgentTimed(n2, SYSTEMD_STOP_TIMEOUT_MS + 10_000)
  t.notOk(plain.forced, `node-2's agent exited on SIGTERM (${plain.exitedAfterMs} ms)`)
  t.same(pids2.map((p) => processState(p as number)), ['gone', 'gone'], 'its bird and bird6 are gone')
  t.same(await lab.processesIn(n2), [], "no process left in node-2's namespace")

  // The worst case: BIRD frozen in the middle of a reconfiguration (a change arrived, its
  // `configure` waits for an answer), then etcd frozen too (SIGSTOP: connections are
  // accepted by the kernel and never answered, like a peer behind a black hole), so that
  // requests to both are in flight when the SIGTERM comes.
  const etcdPid = lab.etcdPid
  t.ok(etcdPid !== undefined, 'etcd runs')
  const pids1 = await birdPids(n1)
  const frozen = [...pids1]
  signalAll(pids1, 'SIGSTOP')
  let worst: { exitedAfterMs: number; forced: boolean }
  try {
    const peer = {
      apiVersion: 'projectcalico.org/v3',
      kind: 'BGPPeer',
      metadata: { name: 'while-frozen', creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), uid: 'fa0d0000-0000-4000-8000-000000000001' },
      spec: { peerIP: '10.99.0.6', asNumber: 65006 },
    }
    await lab.etcdctl(['put', '/calico/resources/v3/projectcalico.org/bgppeers/while-frozen', JSON.stringify(peer)])
    // The file is renamed into place after `bird -p` and before `configure`: from here on
    // the reconfiguration waits for the frozen BIRD.
    await lab.waitFor("node-1's new bird.cfg (its configure then waits for BIRD)", async () => (await readFile(n1.birdConfig, 'utf8')).includes('10.99.0.6'), 60_000, 200)
    signalAll([etcdPid], 'SIGSTOP')
    frozen.push(etcdPid)
    await new Promise((r) => setTimeout(r, FROZEN_BEFORE_STOP_MS))
    worst = await lab.stopAgentTimed(n1, SYSTEMD_STOP_TIMEOUT_MS)
  } finally {
    for (const pid of frozen) if (pid !== undefined && processState(pid) !== 'gone') process.kill(pid, 'SIGCONT')
  }
  t.notOk(worst.forced, `node-1's agent exited on SIGTERM with etcd and BIRD frozen, before systemd's ${SYSTEMD_STOP_TIMEOUT_MS / 1000} s (${worst.exitedAfterMs} ms)`)
  t.same(pids1.map((p) => processState(p as number)), ['gone', 'gone'], 'its frozen bird and bird6 are gone')
  t.same(await lab.processesIn(n1), [], "no process left in node-1's namespace")
  t.comment(`SIGTERM to exit: ${plain.exitedAfterMs} ms (ordinary), ${worst.exitedAfterMs} ms (etcd and BIRD frozen)`)
})
