import type { Command } from 'commander'
import type { Snapshot } from '../api/snapshot.js'
import { chooseBirdBackend, type Backend } from '../backends/backend.js'
import { neededSecretRefs, readSecrets } from '../bgp/secrets.js'
import type { EtcdStore } from '../datastore/etcd-store.js'
import { UnavailableError } from '../datastore/errors.js'
import { resolveNodeName } from '../node/nodename.js'
import { cliLogger, cliSettings, write, writeErr } from './context.js'

/**
 * `falconer bird config`: what the agent would render now, from the datastore, like
 * confd's one-time no-op mode. It reads through the same syncer the agent uses, so the
 * view is the same consistent, validated snapshot; it writes nothing.
 */
export async function birdConfig(o: { ipv6?: boolean; node?: string; routerId?: string }, cmd: Command): Promise<void> {
  const settings = cliSettings(cmd)
  // BIRD 1.6 or BIRD 2, by the version of the executable the agent would drive
  const backend = await chooseBirdBackend(settings.birdBin)
  await printConfig(o, cmd, (input, ctx) => backend.renderOnce(input, ctx))
}

/**
 * `falconer gobgp config`: the gobgpd.toml the GoBGP backend would write now. Rendering
 * is pure, so it needs no gobgpd on this host.
 */
export async function gobgpConfig(o: { node?: string; routerId?: string }, cmd: Command): Promise<void> {
  const { renderGobgp } = await import('../backends/gobgp/backend.js')
  await printConfig(o, cmd, (input) => {
    const r = renderGobgp(input)
    return { text: r.v4.text, problems: r.problems }
  })
}

type RenderOnce = Backend['renderOnce']

async function printConfig(o: { ipv6?: boolean; node?: string; routerId?: string }, cmd: Command, renderOnce: RenderOnce): Promise<void> {
  const settings = cliSettings(cmd)
  const log = cliLogger(cmd, settings)
  const nodeName = resolveNodeName({ name: o.node, env: process.env, nodenameFile: settings.paths.nodenameFile })
  // The etcd client is loaded only here: rendering itself needs no datastore.
  const { EtcdStore } = await import('../datastore/etcd-store.js')
  const store = await EtcdStore.connect(settings.datastore, log)
  try {
    const snapshot = await firstSnapshot(store, settings.datastore.timeoutMs)
    if (!snapshot.nodes.has(nodeName)) writeErr(`Warning: node "${nodeName}" is not registered in the datastore.\n`)
    const { secrets, problems: secretProblems } = await readSecrets(settings.paths.secretsDir, neededSecretRefs(snapshot, nodeName), log)
    const routerId = o.routerId ?? process.env.CALICO_ROUTER_ID
    const input = { snapshot, nodeName, secrets, ...(routerId ? { routerId } : {}) }
    const rendered = renderOnce(input, { paths: settings.paths, log, family: o.ipv6 ? 6 : 4 })
    for (const p of [...snapshot.invalid.values(), ...secretProblems, ...rendered.problems]) {
      writeErr(`Skipped ${p.key}: ${p.field}: ${p.reason}\n`)
    }
    write(rendered.text)
  } finally {
    await store.close()
  }
}

async function firstSnapshot(store: EtcdStore, timeoutMs: number): Promise<Snapshot> {
  const { startSyncer } = await import('../datastore/syncer.js')
  return new Promise((resolve, reject) => {
    const syncer = startSyncer(store.client, {
      onSnapshot: (s) => {
        clearTimeout(timer)
        void syncer.stop().then(() => resolve(s))
      },
    })
    const timer = setTimeout(() => {
      void syncer.stop()
      reject(new UnavailableError(store.settings.endpoints, timeoutMs, undefined, store.settings.source))
    }, timeoutMs)
  })
}
