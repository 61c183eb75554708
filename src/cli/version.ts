import { readFileSync } from 'node:fs'
import type { Command } from 'commander'
import { VERSION } from '../version.js'
import { cliSettings, globalFlags, withStore, write } from './context.js'
import { formatError } from './errors.js'

/**
 * `falconer version`: calicoctl's lines (Client Version, Git Commit, Cluster Version,
 * Cluster Type) plus what a falconer node adds: the BIRD the agent would drive (the same
 * --bird-bin / FALCONER_BIRD_BIN choice and version probe) and the etcd server it talks to.
 * The datastore part is best effort: an unreachable etcd is reported on its line and the
 * command still succeeds, as `calicoctl version` does.
 */
export async function version(_opts: unknown, cmd: Command): Promise<void> {
  const lines: [string, string][] = [
    ['Client Version', `v${VERSION}`],
    ['Git Commit', buildCommit()],
    ['BIRD Version', await birdVersion(cmd)],
  ]
  try {
    const cluster = await withStore(cmd, async (_store, settings) => {
      const { createEtcdClient, bounded } = await import('../datastore/etcd-client.js')
      const client = createEtcdClient(settings.datastore)
      try {
        const [info, status] = await Promise.all([
          bounded(settings.datastore, (opts) =>
            client.kv.range({ key: Buffer.from('/calico/resources/v3/projectcalico.org/clusterinformations/default') }, opts),
          ),
          bounded(settings.datastore, (opts) => client.maintenance.status(opts)),
        ])
        const value = info.kvs[0]?.value.toString()
        const spec = value === undefined ? undefined : ((JSON.parse(value) as { spec?: Record<string, unknown> }).spec ?? {})
        return { spec, etcd: status.version }
      } finally {
        client.close()
      }
    })
    const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : 'unknown')
    lines.push(
      ['Cluster Version', cluster.spec === undefined ? 'unknown (no ClusterInformation in the datastore)' : text(cluster.spec.calicoVersion)],
      ['Cluster Type', cluster.spec === undefined ? 'unknown' : text(cluster.spec.clusterType)],
      ['Datastore', `etcdv3, etcd ${cluster.etcd}`],
    )
  } catch (err) {
    lines.push(['Cluster Version', `unknown (${formatError(err)})`])
  }
  write(lines.map(([k, v]) => `${`${k}:`.padEnd(19)}${v}\n`).join(''))
}

/**
 * The commit recorded at build time (scripts/build-info.mjs writes dist/build-info.json);
 * a build without one (tsc alone, or a tree without .git) says unknown.
 */
function buildCommit(): string {
  try {
    const info = JSON.parse(readFileSync(new URL('../build-info.json', import.meta.url), 'utf8')) as { commit?: unknown }
    return typeof info.commit === 'string' && info.commit !== '' ? info.commit : 'unknown'
  } catch {
    return 'unknown'
  }
}

/** What the agent would find: its BIRD executable, its generation and the tools beside it. */
async function birdVersion(cmd: Command): Promise<string> {
  let birdBin: string
  try {
    birdBin = cliSettings(cmd).birdBin
  } catch {
    // A broken client config must not hide the BIRD line; the flag and env are all it needs.
    birdBin = globalFlags(cmd).birdBin ?? (process.env.FALCONER_BIRD_BIN || 'bird')
  }
  const { probeBird } = await import('../backends/backend.js')
  try {
    const install = await probeBird(birdBin)
    const tools = install.generation === 1 ? `BIRD 1.6: ${install.bird} and ${install.bird6 ?? 'bird6'}` : `BIRD 2: ${install.bird}, one daemon`
    return `${install.version} (${tools})`
  } catch (err) {
    return `not usable (${formatError(err)})`
  }
}
