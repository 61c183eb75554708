import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CLI_BIN, ensureBuilt, runCli, type CliResult } from '../../helpers/cli.js'
import { startEtcd, type EtcdHandle, type TeardownHost } from '../../helpers/etcd.js'

/**
 * One real etcd and one relocated filesystem prefix per test file, and a `cli()` that runs
 * the built falconer against them. The prefix keeps the host's /etc/calico/calicoctl.cfg
 * and /var/lib/calico/nodename out of the tests; NODENAME is cleared for the same reason.
 */
export interface CliEnv {
  /** The launcher the tests run (the repository's bin/falconer). */
  readonly bin: string
  readonly etcd: EtcdHandle
  readonly prefix: string
  readonly env: Record<string, string>
  cli(args: readonly string[], opts?: { input?: string; env?: Record<string, string> }): Promise<CliResult>
  /** The stored JSON value of a v3 resource, or undefined when the key is absent. */
  stored(plural: string, name: string): Promise<Record<string, unknown> | undefined>
}

export async function cliEnv(t: TeardownHost): Promise<CliEnv> {
  const [, etcd] = await Promise.all([ensureBuilt(), startEtcd(t)])
  const bin = CLI_BIN
  const prefix = await mkdtemp(join(tmpdir(), 'falconer-cli-'))
  t.teardown(() => rm(prefix, { recursive: true, force: true }))
  const env = { ...etcd.env, FALCONER_PREFIX: prefix, NODENAME: '' }
  return {
    bin,
    etcd,
    prefix,
    env,
    cli: (args, opts = {}) => runCli(args, { bin, env: { ...env, ...opts.env }, ...(opts.input !== undefined && { input: opts.input }) }),
    stored: async (plural, name) => {
      const out = await etcd.etcdctl(['get', `/calico/resources/v3/projectcalico.org/${plural}/${name}`, '--print-value-only'])
      return out.trim() === '' ? undefined : (JSON.parse(out) as Record<string, unknown>)
    },
  }
}
