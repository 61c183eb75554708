import { readFileSync } from 'node:fs'
import { hostname as osHostname } from 'node:os'

export interface NodeNameSources {
  /** An explicit name (`--name`); wins over everything. */
  readonly name?: string | undefined
  /** Environment; only `NODENAME` is read. */
  readonly env?: Readonly<Record<string, string | undefined>>
  /** `settings.paths.nodenameFile` (/var/lib/calico/nodename), written when the node registered. */
  readonly nodenameFile?: string | undefined
  /** The host name to fall back to; defaults to os.hostname(). */
  readonly hostname?: string | undefined
}

export type NodeNameSource = 'flag' | 'env' | 'file' | 'hostname'

export interface ResolvedNodeName {
  readonly name: string
  readonly source: NodeNameSource
}

/**
 * This host's Calico node name, the way calico/node finds it: an explicit name, then
 * `NODENAME`, then the nodename file the node left behind at registration, then the host
 * name lower-cased (Calico node names are lower-case DNS names while host names need not be).
 */
export function resolveNodeName(sources: NodeNameSources = {}): string {
  return resolveNodeNameWithSource(sources).name
}

export function resolveNodeNameWithSource(sources: NodeNameSources = {}): ResolvedNodeName {
  const flag = sources.name?.trim()
  if (flag) return { name: flag, source: 'flag' }
  const env = sources.env?.NODENAME?.trim()
  if (env) return { name: env, source: 'env' }
  if (sources.nodenameFile !== undefined) {
    const fromFile = readNodenameFile(sources.nodenameFile)
    if (fromFile) return { name: fromFile, source: 'file' }
  }
  return { name: (sources.hostname ?? osHostname()).trim().toLowerCase(), source: 'hostname' }
}

function readNodenameFile(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim() || undefined
  } catch (err) {
    // No file yet simply means the node never registered on this host.
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
}
