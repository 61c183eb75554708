import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { REPO_ROOT } from '../../helpers/cli.js'
import type { EtcdHandle } from '../../helpers/etcd.js'
import {
  addDummy, addAddress, createNetns, exec, linkUp, type ExecResult, type Netns, type TeardownHost,
} from '../../helpers/netns.js'
import { bridgeEtcdInto } from './etcd-bridge.js'

/** Namespaces of this suite are `fa-nd-…`. */
export const NETNS_PREFIX = 'nd'

export const BIN = join(REPO_ROOT, 'bin/falconer')

/** A namespace with one up interface `eth0` carrying `cidrs`, and etcd reachable inside it. */
export async function nodeNamespace(
  t: TeardownHost,
  etcd: EtcdHandle,
  cidrs: readonly string[],
): Promise<{ ns: Netns; endpoint: string }> {
  const ns = await createNetns(t, NETNS_PREFIX)
  await addDummy(ns, 'eth0')
  for (const c of cidrs) await addAddress(ns, 'eth0', c, c.includes(':') ? { nodad: true } : {})
  await linkUp(ns, 'eth0')
  const endpoint = await bridgeEtcdInto(t, etcd, ns)
  return { ns, endpoint }
}

/** `node bin/falconer ARGS` inside the namespace, talking to `endpoint`. */
export function falconerIn(ns: Netns, endpoint: string, args: readonly string[], env: Record<string, string> = {}): Promise<ExecResult> {
  return exec(ns, process.execPath, [BIN, ...args], {
    reject: false,
    timeoutMs: 120_000,
    env: { DATASTORE_TYPE: 'etcdv3', ETCD_ENDPOINTS: endpoint, ...env },
  })
}

export async function tempPrefix(t: TeardownHost): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'falconer-node-'))
  t.teardown(() => quietly(`removing ${dir}`, () => rm(dir, { recursive: true, force: true, maxRetries: 5 })))
  return dir
}

/**
 * tap skips the remaining teardowns when one throws, which would leak processes and
 * namespaces: teardown work reports a failure on stderr instead of throwing.
 */
export async function quietly(what: string, fn: () => unknown): Promise<void> {
  try {
    await fn()
  } catch (err) {
    process.stderr.write(`node tests: ${what} failed: ${err instanceof Error ? err.message : String(err)}\n`)
  }
}

export function lines(text: string): string[] {
  return text.split('\n').filter((l) => l !== '')
}

/** A stored value, parsed; undefined when the key is absent. */
export async function etcdJson(etcd: EtcdHandle, key: string): Promise<unknown> {
  const out = await etcd.etcdctl(['get', key, '--print-value-only'])
  return out.trim() === '' ? undefined : JSON.parse(out)
}

export async function etcdKeys(etcd: EtcdHandle, prefix: string): Promise<string[]> {
  return lines(await etcd.etcdctl(['get', prefix, '--prefix', '--keys-only']))
}

export async function modRevision(etcd: EtcdHandle, key: string): Promise<number> {
  const out = JSON.parse(await etcd.etcdctl(['get', key, '-w', 'json'])) as { kvs?: { mod_revision: number }[] }
  return out.kvs?.[0]?.mod_revision ?? 0
}
