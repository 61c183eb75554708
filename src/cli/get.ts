import type { Command } from 'commander'
import type { AnyResource, BGPPeer, ResourceKind } from '../api/types.js'
import { resolveKind } from '../api/validate/index.js'
import { resourceKey } from '../datastore/keys.js'
import type { ResourceStore } from '../datastore/store.js'
import { effectiveAsNumber } from './config-values.js'
import { withStore, write } from './context.js'
import { CliError } from './errors.js'
import { compareText, parsePeerArgument, parseScope, peerMatches, type PeerFilter } from './peers.js'
import { legacyPeerTable } from './print/peer-tables.js'
import { OUTPUT_FORMATS, listForm, resourceTable, toJson, toYaml, wireForm, type OutputFormat } from './print/resources.js'

export interface GetOptions {
  output: string
  scope?: string
  node?: string
  namespace?: string
  allNamespaces?: boolean
}

export async function getResources(kindText: string, name: string | undefined, opts: GetOptions, cmd: Command): Promise<void> {
  const format = parseFormat(opts.output)
  const kind = resolveKind(kindText)
  if (kind === undefined) throw new CliError(`resource type '${kindText}' is not supported`)
  const scope = parseScope(opts.scope)
  const legacy = kind === 'BGPPeer' && (scope !== undefined || opts.node !== undefined)
  if (!legacy && scope !== undefined) throw new CliError(`--scope only applies to bgpPeer, not ${kind}`)
  const filter: PeerFilter | undefined = legacy
    ? {
        ...(scope !== undefined ? { scope } : { scope: 'node' as const }),
        ...(opts.node !== undefined && { node: opts.node }),
        ...(name !== undefined && { peer: parsePeerArgument(name) }),
      }
    : undefined
  const namespace = kind === 'WorkloadEndpoint' && !opts.allNamespaces ? (opts.namespace ?? 'default') : undefined
  const text = await withStore(cmd, async (store) => {
    if (filter !== undefined) {
      const peers = (await store.list('BGPPeer')).filter((p: BGPPeer) => peerMatches(p, filter))
      return format === 'ps' || format === 'wide' ? legacyPeerTable(peers) : render(store, 'BGPPeer', sortByName(peers), format, true, false)
    }
    if (name !== undefined) {
      const one = await store.get(kind, name, namespace)
      if (one === undefined) {
        throw new CliError(`resource does not exist: ${kind}(${name}) with error: key ${resourceKey(kind, name, namespace)} not found`)
      }
      return render(store, kind, [one], format, false, opts.allNamespaces === true)
    }
    const all = sortByName(await store.list(kind, namespace))
    return render(store, kind, all, format, true, opts.allNamespaces === true)
  })
  write(text)
}

function parseFormat(text: string): OutputFormat {
  const f = text.toLowerCase() as OutputFormat
  if (!OUTPUT_FORMATS.includes(f)) {
    throw new CliError(`unrecognised output format '${text}' (expected ${OUTPUT_FORMATS.join(', ')})`)
  }
  return f
}

function sortByName<R extends AnyResource>(resources: readonly R[]): R[] {
  return [...resources].sort(
    (a, b) => compareText(a.metadata.namespace ?? '', b.metadata.namespace ?? '') || compareText(a.metadata.name, b.metadata.name),
  )
}

async function render(
  store: ResourceStore,
  kind: ResourceKind,
  resources: readonly AnyResource[],
  format: OutputFormat,
  asList: boolean,
  allNamespaces: boolean,
): Promise<string> {
  if (format === 'yaml' || format === 'json') {
    const value = asList ? listForm(kind, resources) : wireForm(resources[0]!)
    return format === 'yaml' ? toYaml(value) : toJson(value)
  }
  // Only the wide node table shows the inherited AS number.
  const defaultAsNumber = kind === 'Node' && format === 'wide' ? effectiveAsNumber(await store.get('BGPConfiguration', 'default')) : 64512
  return resourceTable(kind, resources as never[], format === 'wide', { defaultAsNumber, allNamespaces })
}
