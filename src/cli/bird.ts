import type { Command } from 'commander'
import type { Snapshot } from '../api/snapshot.js'
import { renderConfigs } from '../bgp/render-configs.js'
import { neededSecretRefs, readSecrets } from '../bgp/secrets.js'
import { TemplateSource } from '../bgp/template-source.js'
import type { EtcdStore } from '../datastore/etcd-store.js'
import { UnavailableError } from '../datastore/errors.js'
import { resolveNodeName } from '../node/nodename.js'
import { cliLogger, cliSettings, write, writeErr } from './context.js'

export async function birdConfig(o: { ipv6?: boolean; node?: string; routerId?: string }, cmd: Command): Promise<void> {
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
    const rendered = renderConfigs({
      snapshot,
      nodeName,
      templates: new TemplateSource(settings.paths.templateOverrideDir, log).get(),
      secrets,
      ...(routerId ? { routerId } : {}),
    })
    for (const p of [...snapshot.invalid.values(), ...secretProblems, ...rendered.problems]) {
      writeErr(`Skipped ${p.key}: ${p.field}: ${p.reason}\n`)
    }
    write((o.ipv6 ? rendered.v6 : rendered.v4).text)
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
