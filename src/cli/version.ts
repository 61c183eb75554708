import { execFile } from 'node:child_process'
import type { Command } from 'commander'
import { VERSION } from '../version.js'
import { withStore, write } from './context.js'
import { formatError } from './errors.js'

/**
 * `falconer version`: calicoctl's lines (Client Version, Cluster Version, Cluster Type) plus
 * what a falconer node adds: the BIRD daemons it drives and the etcd server it talks to.
 * The datastore part is best effort: an unreachable etcd is reported on its line and the
 * command still succeeds, as `calicoctl version` does.
 */
export async function version(_opts: unknown, cmd: Command): Promise<void> {
  const [bird, bird6] = await Promise.all([birdVersion('bird'), birdVersion('bird6')])
  const lines: [string, string][] = [['Client Version', `v${VERSION}`], ['BIRD Version', `${bird} (bird), ${bird6} (bird6)`]]
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

/** `bird --version` prints "BIRD version 1.6.8" on stderr. */
function birdVersion(daemon: 'bird' | 'bird6'): Promise<string> {
  return new Promise((resolve) => {
    execFile(daemon, ['--version'], { timeout: 5_000 }, (err, stdout, stderr) => {
      const m = /BIRD version (\S+)/.exec(`${stdout}${stderr}`)
      resolve(m ? m[1]! : err ? `not found (${(err as NodeJS.ErrnoException).code ?? err.message})` : 'unknown')
    })
  })
}
