import type { Command } from 'commander'
import type { Snapshot } from '../api/snapshot.js'
import { renderConfigs } from '../bgp/render-configs.js'
import { neededSecretRefs, readSecrets } from '../bgp/secrets.js'
import { TemplateSource } from '../bgp/template-source.js'
import { EtcdStore } from '../datastore/etcd-store.js'
import { UnavailableError } from '../datastore/errors.js'
import { startSyncer } from '../datastore/syncer.js'
import { resolveNodeName } from '../node/nodename.js'
import { cliLogger, cliSettings, write, writeErr } from './context.js'

/**
 * `falconer bird config`: what the agent would render now, from the datastore, like
 * confd's one-time no-op mode. It reads through the same syncer the agent uses, so the
 * view is the same consistent, validated snapshot; it writes nothing.
 */
export function registerBirdCommands(program: Command): void {
  const bird = program.command('bird').description('inspect the BIRD configuration falconer renders')
  bird
    .command('config')
    .description('print the bird.cfg (or bird6.cfg) that would be rendered now from the datastore')
    .option('--ipv6', 'print bird6.cfg instead of bird.cfg')
    .option('--node <NAME>', 'render for this node (default: this host\'s node name)')
    .option('--router-id <ID>', 'router id: an IPv4 address or "hash" (env CALICO_ROUTER_ID)')
    .action(async (o: { ipv6?: boolean; node?: string; routerId?: string }, cmd: Command) => {
      const settings = cliSettings(cmd)
      const log = cliLogger(cmd, settings)
      const nodeName = resolveNodeName({ name: o.node, env: process.env, nodenameFile: settings.paths.nodenameFile })
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
    })
}

function firstSnapshot(store: EtcdStore, timeoutMs: number): Promise<Snapshot> {
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
