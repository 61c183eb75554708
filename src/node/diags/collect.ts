import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { KINDS, PLURALS, type AnyResource } from '../../api/types.js'
import { BirdControl } from '../../bird/control/index.js'
import type { Settings } from '../../settings/settings.js'
import { VERSION } from '../../version.js'
import { redactText, redactValue } from './redact.js'

/**
 * `falconer node diags`: what support needs, in one .tar.gz. Every part is collected on
 * its own: a BIRD that does not answer or an unreachable datastore is written down in the
 * archive (that is often the diagnosis) instead of ending the collection.
 */
export interface DiagsOptions {
  readonly settings: Settings
  readonly nodeName: string
  /** Where the archive goes (default the system temp directory). */
  readonly outputDir?: string
  /** Lines of the agent's log kept (default 5000). */
  readonly logLines?: number
  /** The agent's log file (default `<log dir>/falconer.log`, where a detached agent writes). */
  readonly logFile?: string
  readonly now?: Date
}

const BIRD_COMMANDS: readonly [string, string][] = [
  ['status', 'show status'],
  ['protocols-all', 'show protocols all'],
  ['route-count', 'show route count'],
  ['memory', 'show memory'],
]

export async function collectDiags(o: DiagsOptions): Promise<string> {
  const stamp = (o.now ?? new Date()).toISOString().replace(/[:.]/g, '-')
  const name = `falconer-diags-${o.nodeName}-${stamp}`
  const staging = await mkdtemp(join(tmpdir(), 'falconer-diags-'))
  const root = join(staging, name)
  const put = async (file: string, text: string) => {
    await mkdir(dirname(join(root, file)), { recursive: true })
    await writeFile(join(root, file), redactText(text), { mode: 0o600 })
  }
  try {
    const { paths } = o.settings
    for (const [file, path] of [['config/bird.cfg', paths.birdConfig], ['config/bird6.cfg', paths.bird6Config]] as const) {
      await put(file, await readFile(path, 'utf8').catch((err: Error) => `not readable: ${err.message}\n`))
    }
    for (const [daemon, socketPath] of [['bird', paths.birdSocket], ['bird6', paths.bird6Socket]] as const) {
      const bird = new BirdControl({ socketPath, timeoutMs: 10_000 })
      try {
        for (const [file, command] of BIRD_COMMANDS) {
          const text = await bird
            .request(command)
            .then((r) => r.lines.map((l) => l.text).join('\n') + '\n')
            .catch((err: Error) => `${daemon} did not answer "${command}" on ${socketPath}: ${err.message}\n`)
          await put(`bird/${daemon}-${file}.txt`, text)
        }
      } finally {
        await bird.close().catch(() => undefined)
      }
    }
    await put('log/falconer.log', await tail(o.logFile ?? join(paths.logDir, 'falconer.log'), o.logLines ?? 5000))
    await put('log/journal.txt', await run('journalctl', ['-u', 'falconer', '-n', String(o.logLines ?? 5000), '--no-pager']))
    await collectResources(o, put)
    await put('system/versions.txt', [
      `falconer ${VERSION}`,
      `node ${process.version}`,
      (await run('bird', ['--version'])).trim(),
      (await run('bird6', ['--version'])).trim(),
      (await run('uname', ['-a'])).trim(),
      '',
    ].join('\n'))
    for (const [file, args] of [
      ['system/ip-route-v4.txt', ['-4', 'route', 'show', 'table', 'all']],
      ['system/ip-route-v6.txt', ['-6', 'route', 'show', 'table', 'all']],
      ['system/ip-addr.txt', ['addr']],
      ['system/ip-rule.txt', ['rule']],
    ] as const) {
      await put(file, await run('ip', args))
    }
    await put('system/sysctl-forwarding.txt', await run('sysctl', ['net.ipv4.ip_forward', 'net.ipv6.conf.all.forwarding']))

    const outDir = o.outputDir ?? tmpdir()
    await mkdir(outDir, { recursive: true })
    const archive = join(outDir, `${name}.tar.gz`)
    const tar = await runChecked('tar', ['-czf', archive, '-C', staging, name])
    if (tar !== undefined) throw new Error(`tar failed: ${tar}`)
    return archive
  } finally {
    await rm(staging, { recursive: true, force: true })
  }
}

/** This node's view of the datastore: its Node, its status, the BGP resources that apply. */
async function collectResources(o: DiagsOptions, put: (file: string, text: string) => Promise<void>): Promise<void> {
  // Loaded on demand: grpc is heavy, and the rest of the archive does not need it.
  const { EtcdStore } = await import('../../datastore/etcd-store.js')
  let store: Awaited<ReturnType<typeof EtcdStore.connect>> | undefined
  try {
    store = await EtcdStore.connect(o.settings.datastore)
    const items: (AnyResource | undefined)[] = [
      await store.get('Node', o.nodeName),
      await store.get('CalicoNodeStatus', o.nodeName),
      await store.get('BGPConfiguration', 'default'),
      await store.get('BGPConfiguration', `node.${o.nodeName}`),
      ...(await store.list('BGPPeer')),
      ...(await store.list('IPPool')),
    ]
    for (const item of items) {
      if (item === undefined) continue
      if (!KINDS.includes(item.kind)) continue
      await put(`datastore/${PLURALS[item.kind]}/${item.metadata.name}.json`, JSON.stringify(redactValue(item), null, 2) + '\n')
    }
    if (items[0] === undefined) await put('datastore/README.txt', `node "${o.nodeName}" is not registered in the datastore\n`)
  } catch (err) {
    await put('datastore/error.txt', `datastore ${o.settings.datastore.endpoints.join(',')}: ${err instanceof Error ? err.message : String(err)}\n`)
  } finally {
    await store?.close().catch(() => undefined)
  }
}

async function tail(file: string, lines: number): Promise<string> {
  try {
    const text = await readFile(file, 'utf8')
    return text.split('\n').slice(-lines - 1).join('\n')
  } catch (err) {
    return `not readable: ${(err as Error).message}\n`
  }
}

/** stdout, or a line saying why there is none (a missing tool is part of the picture). */
function run(cmd: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 20_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const out = `${stdout}${stderr}`
      resolve(err && out.trim() === '' ? `${cmd} ${args.join(' ')}: ${err.message}\n` : out)
    })
  })
}

function runChecked(cmd: string, args: readonly string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 60_000 }, (err, _stdout, stderr) => resolve(err ? `${err.message} ${stderr}` : undefined))
  })
}
