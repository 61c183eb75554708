/**
 * The demo's lab runner (scripts/demo.sh builds this file to dist/lab/scripts/lab/main.js):
 *
 *   main.js [--keep] [--nodes N] [--timeout S] [--bird2]   bring up the lab, show what
 *                 falconer sees, tear down (--keep: leave it running and print how to
 *                 explore it; --bird2: every node on BIRD 2 instead of BIRD 1.6)
 *   main.js --down                 remove a lab left running with --keep
 *
 * Ctrl-C (SIGINT) or SIGTERM at any point tears everything down.
 */
import { join } from 'node:path'
import { exec } from '../../test/helpers/netns.js'
import { waitEstablished, waitMeshRoutes, waitTorRoutes } from './convergence.js'
import { Lab, LabAborted, type LabNode } from './lab.js'
import { ETCD_ENDPOINT, TOR_AS } from './topology.js'

const NAME = 'demo'
const DEFAULT_TIMEOUT_S = 120
const USAGE = `usage: scripts/demo.sh [--keep] [--nodes N] [--timeout SECONDS] [--bird2] | --down
  --keep             leave the lab running and print how to explore it
  --bird2            run every node on BIRD 2 (one daemon, both families) instead of BIRD 1.6
  --nodes N          number of nodes, 2-9 (default 3)
  --timeout SECONDS  how long to wait for every BGP session (default ${DEFAULT_TIMEOUT_S})
  --down             remove a lab left running with --keep`

interface Args {
  readonly mode: 'demo' | 'down'
  readonly keep: boolean
  readonly nodes: number
  /** How long to wait for every session to be Established. */
  readonly timeoutMs: number
  readonly bird2: boolean
}

function parseArgs(argv: readonly string[]): Args {
  let mode: Args['mode'] = 'demo'
  let keep = false
  let nodes = 3
  let timeout = DEFAULT_TIMEOUT_S
  let bird2 = false
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (a === '--down') mode = 'down'
    else if (a === '--keep') keep = true
    else if (a === '--bird2') bird2 = true
    else if (a === '--nodes') nodes = Number(argv[++i])
    else if (a === '--timeout') timeout = Number(argv[++i])
    else if (a === '-h' || a === '--help') {
      process.stdout.write(`${USAGE}\n`)
      process.exit(0)
    } else {
      process.stderr.write(`demo: unknown argument "${a}"\n${USAGE}\n`)
      process.exit(2)
    }
  }
  if (!Number.isInteger(nodes) || nodes < 2 || nodes > 9) {
    process.stderr.write('demo: --nodes takes a number from 2 to 9\n')
    process.exit(2)
  }
  if (!(timeout > 0 && timeout <= 3600)) {
    process.stderr.write('demo: --timeout takes seconds, up to 3600\n')
    process.exit(2)
  }
  return { mode, keep, nodes, timeoutMs: timeout * 1000, bird2 }
}

const out = (text = ''): void => {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`)
}
const heading = (text: string): void => out(`\n==> ${text}`)

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2))
  if (args.mode === 'down') {
    try {
      const removed = await Lab.clean(NAME)
      out(removed.length > 0 ? `demo lab removed: ${removed.join(' ')}` : 'no demo lab was running')
      return 0
    } catch (err) {
      process.stderr.write(`demo --down: ${err instanceof Error ? err.message : String(err)}\n`)
      return 1
    }
  }

  const started = Date.now()
  const lab = new Lab({ name: NAME, nodes: args.nodes, say: (line) => out(`    ${line}`), ...(args.bird2 && { bird2Nodes: 'all' as const }) })
  let interrupted = false
  const onSignal = (sig: NodeJS.Signals) => {
    if (interrupted) {
      // A second Ctrl-C: no more waiting, kill everything now.
      out(`\n${sig} again: killing the lab's processes and deleting its namespaces`)
      lab.destroySync()
      process.exit(sig === 'SIGINT' ? 130 : 143)
    }
    interrupted = true
    out(`\n${sig}: tearing the lab down…`)
    void lab.down().finally(() => process.exit(sig === 'SIGINT' ? 130 : 143))
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)

  try {
    heading(`Starting a ${args.nodes}-node lab: etcd, a gobgpd top-of-rack router (AS ${TOR_AS}), a falconer agent with ${args.bird2 ? 'BIRD 2 (one bird for both families)' : 'bird/bird6'} per node`)
    await lab.up()

    heading('Waiting for every BGP session to be Established (IPv4 and IPv6)')
    const statuses = await waitEstablished(lab, { timeoutMs: args.timeoutMs })
    const sessions = [...statuses.values()].reduce((n, s) => n + (s.ipv4.running ? s.ipv4.peers.length : 0) + (s.ipv6.running ? s.ipv6.peers.length : 0), 0)
    await waitMeshRoutes(lab)
    await waitTorRoutes(lab)
    out(`    ${sessions} sessions Established, routes exchanged, ${Math.round((Date.now() - started) / 1000)} s after start`)

    for (const node of lab.nodes) await show(lab, node, `${node.name}: falconer node status`, ['node', 'status'])
    const first = lab.nodes[0] as LabNode
    await show(lab, first, 'falconer node show', ['node', 'show'])

    heading(`The top-of-rack router's routes (gobgpd, AS ${TOR_AS}): every node's blocks`)
    out(`$ ip netns exec ${lab.tor?.name} gobgp global rib`)
    out(await lab.gobgp(['global', 'rib']))
    out(`$ ip netns exec ${lab.tor?.name} gobgp global rib -a ipv6`)
    out(await lab.gobgp(['global', 'rib', '-a', 'ipv6']))

    heading(`${first.name}'s kernel routes: the other nodes' blocks, programmed by BIRD (proto bird)`)
    for (const family of ['-4', '-6']) {
      out(`$ ip netns exec ${first.ns.name} ip ${family} route`)
      out((await exec(first.ns, 'ip', [family, 'route'])).stdout)
    }

    if (args.keep) {
      lab.detach()
      process.off('SIGINT', onSignal)
      process.off('SIGTERM', onSignal)
      explore(lab, first)
      return 0
    }
    heading('Tearing down')
    await lab.down()
    out('    done: no namespace, process or file of the lab is left')
    return 0
  } catch (err) {
    if (err instanceof LabAborted || interrupted) return new Promise<number>(() => {}) // the signal handler exits
    const why = err instanceof Error ? err.message : String(err)
    process.stderr.write(`\ndemo FAILED: ${why}\n`)
    if (/timed out/.test(why)) process.stderr.write('(a busy machine may need longer: ./scripts/demo.sh --timeout 300)\n')
    if (!/─── /.test(String(err))) process.stderr.write(`\n${lab.logs(40)}\n`)
    process.stderr.write('\ntearing the lab down…\n')
    await lab.down()
    return 1
  }
}

async function show(lab: Lab, node: LabNode, title: string, args: readonly string[]): Promise<void> {
  heading(title)
  out(`$ ip netns exec ${node.ns.name} ./bin/falconer ${args.join(' ')} --prefix ${node.prefix}`)
  const r = await lab.falconer(node, args)
  out(r.stdout)
  if (r.code !== 0) out(`(exit ${r.code}) ${r.stderr}`)
}

function explore(lab: Lab, node: LabNode): void {
  const env = `ETCD_ENDPOINTS=${ETCD_ENDPOINT}`
  heading('The lab is still running (--keep). Explore it as root from the repository:')
  out(`    ip netns exec ${node.ns.name} ./bin/falconer node status --prefix ${node.prefix}`)
  out(`    ip netns exec ${node.ns.name} env ${env} ./bin/falconer node show`)
  out(`    ip netns exec ${node.ns.name} env ${env} ./bin/falconer get bgppeers -o wide`)
  const birdc = node.bird2Bin === undefined ? 'birdc' : join(node.bird2Bin, '..', 'birdc')
  out(`    ip netns exec ${node.ns.name} ${birdc} -s ${node.birdSocket} show protocols`)
  out(`    ip netns exec ${node.ns.name} ip route`)
  out(`    ip netns exec ${lab.tor?.name} gobgp neighbor`)
  out(`    logs: ${join(lab.dir, 'logs')}/   configs: ${node.prefix}/etc/calico/confd/config/`)
  out('Stop it with:')
  out('    ./scripts/demo.sh --down')
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`demo: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`)
    process.exit(1)
  },
)
