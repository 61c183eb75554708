import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { ensureBuilt, runCli } from '../../helpers/cli.js'
import { recordedReply, startReplayServer } from '../../helpers/replay-server.js'

/**
 * Commands that never touch the datastore must not pay for loading its client: each
 * command's implementation is imported only when it runs. Checked on the real process: a
 * preloaded script writes every CommonJS module the CLI loaded (etcd3, gRPC, pino,
 * prom-client, handlebars and yaml are all CommonJS) to a file when the process exits.
 */

const HEAVY = ['etcd3', '@grpc', 'protobufjs', 'pino', 'thread-stream', 'prom-client', 'handlebars', 'yaml']

function packagesIn(files: readonly string[]): Set<string> {
  const found = new Set<string>()
  for (const f of files) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(f)
    if (m?.[1] !== undefined) found.add(m[1].startsWith('@grpc/') ? '@grpc' : m[1])
  }
  return found
}

t.test('--version, --help, node status and node autodetect load no datastore client, logger, metrics or template engine', async (t) => {
  await ensureBuilt()
  const dir = t.testdir({})
  const recorder = join(dir, 'record-modules.cjs')
  writeFileSync(
    recorder,
    "process.on('exit', () => require('fs').writeFileSync(process.env.RECORD_MODULES_TO, Object.keys(require.cache).join('\\n')))\n",
  )
  const v4 = await startReplayServer(t, {
    answer: (c) => (c === 'show status' ? recordedReply('raw_v4_show_status.txt') : c === 'show protocols all' ? recordedReply('raw_v4_show_protocols_all_mixed.txt') : undefined),
  })
  const v6 = await startReplayServer(t, {
    answer: (c) => (c === 'show status' ? recordedReply('raw_v6_show_status.txt') : c === 'show protocols all' ? recordedReply('raw_v6_show_protocols_all_Mesh_established.txt') : undefined),
  })

  const loaded = async (args: string[], expectCode: number, env: Record<string, string> = {}) => {
    const out = join(dir, `modules-${args.join('_').replace(/[^a-z0-9_]/gi, '')}.txt`)
    const r = await runCli(args, { env: { NODE_OPTIONS: `--require ${recorder}`, RECORD_MODULES_TO: out, FALCONER_LOG_LEVEL: undefined, ...env } })
    t.equal(r.code, expectCode, `falconer ${args.join(' ')} exits ${expectCode}: ${r.stderr}`)
    return { result: r, packages: packagesIn(readFileSync(out, 'utf8').split('\n')) }
  }

  const version = await loaded(['--version'], 0)
  t.match(version.result.stdout, /^\d+\.\d+\.\d+\n$/)
  const help = await loaded(['--help'], 0)
  t.match(help.result.stdout, /node/)
  const status = await loaded(['node', 'status', '--bird-socket', v4.socketPath, '--bird6-socket', v6.socketPath], 0)
  t.match(status.result.stdout, /Calico process is running\./, 'node status read both replayed sockets')
  t.ok(v4.commands.includes('show protocols all') && v6.commands.includes('show protocols all'))
  const autodetect = await loaded(['node', 'autodetect', '--method', 'interface=lo'], 1)
  t.match(autodetect.result.stderr, /lo/, 'autodetection ran (and refused the loopback)')

  for (const [name, run] of Object.entries({ version, help, status, autodetect })) {
    t.strictSame(HEAVY.filter((p) => run.packages.has(p)), [], `${name} loads none of ${HEAVY.join(', ')}`)
  }

  // The recorder does see these libraries when a command needs them (the check can fail).
  // (Nothing listens on port 9 of loopback: the command fails fast after loading the client.)
  const get = await loaded(['get', 'nodes', '--datastore-timeout', '1'], 1, { ETCD_ENDPOINTS: 'http://127.0.0.1:9' })
  t.ok(get.packages.has('etcd3') && get.packages.has('@grpc'), 'get loads the etcd client')
})
