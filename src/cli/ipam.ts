import type { Command } from 'commander'
import type { BlockAffinity, IPPool } from '../api/types.js'
import { cidrContains, cidrSize, parseCidr, type Cidr } from '../datastore/cidr.js'
import type { IpamStore, ResourceStore } from '../datastore/store.js'
import { withStore, write } from './context.js'
import { CliError } from './errors.js'
import { nodeFlag } from './node-flag.js'
import { boxTable } from './print/table.js'

/**
 * `falconer ipam show [--show-blocks]` and `falconer ipam release --block=<CIDR>` (definitions in
 * commands/ipam.ts).
 *
 * falconer claims address blocks for its node (one affinity per block, as calico/node does)
 * and announces them; it does not hand out single addresses to workloads, which is the
 * CNI plugin's job. So `show` counts blocks, not addresses in use, and `release` frees a
 * block; a block that still holds assigned addresses is refused.
 */
export async function ipamShow(opts: { showBlocks?: boolean }, cmd: Command): Promise<void> {
  const [pools, affinities] = await withStore(cmd, async (store) => {
    const ipamStore = store as ResourceStore & IpamStore // withStore opens an EtcdStore, which is both
    return Promise.all([store.list('IPPool'), ipamStore.listAffinities()])
  })
  write(ipamTable(pools, affinities, opts.showBlocks === true))
}

export async function ipamRelease(opts: { block?: string; ip?: string } & Record<string, unknown>, cmd: Command): Promise<void> {
  if (opts.ip !== undefined) {
    throw new CliError(
      `--ip ${opts.ip}: falconer does not assign single addresses (workload addresses come from the CNI plugin); ` +
        'release the block with --block=<CIDR>, or the address with calicoctl ipam release',
    )
  }
  if (opts.block === undefined) throw new CliError('--block=<CIDR> is required (see falconer ipam show --show-blocks)')
  const block = parseBlock(opts.block)
  const node = nodeFlag(opts)
  await withStore(cmd, async (store) => {
    const ipamStore = store as ResourceStore & IpamStore
    const owners = (await ipamStore.listAffinities(node)).filter((a) => sameCidr(a.cidr, block))
    if (owners.length === 0) {
      throw new CliError(`block ${opts.block} is not claimed${node === undefined ? '' : ` by node ${node}`}`)
    }
    for (const a of owners) {
      await ipamStore.releaseAffinity(a.node, a.cidr)
      write(`Released block ${a.cidr} of node ${a.node}\n`)
    }
  })
}

function parseBlock(text: string): Cidr {
  try {
    return parseCidr(text, '--block')
  } catch (err) {
    throw new CliError(`--block ${text}: ${(err as Error).message}`)
  }
}

function sameCidr(text: string, c: Cidr): boolean {
  try {
    const other = parseCidr(text)
    return other.family === c.family && other.network === c.network && other.prefix === c.prefix
  } catch {
    return false
  }
}

export function ipamTable(pools: readonly IPPool[], affinities: readonly BlockAffinity[], showBlocks: boolean): string {
  const parsed = affinities.flatMap((a) => {
    try {
      return [{ a, cidr: parseCidr(a.cidr) }]
    } catch {
      return []
    }
  })
  const rows: string[][] = []
  for (const pool of [...pools].sort((x, y) => x.spec.cidr.localeCompare(y.spec.cidr))) {
    const cidr = parseCidr(pool.spec.cidr)
    const blockSize = pool.spec.blockSize ?? (cidr.family === 4 ? 26 : 122)
    const blocks = blockSize >= cidr.prefix ? 2n ** BigInt(blockSize - cidr.prefix) : 1n
    const inPool = parsed.filter((p) => cidrContains(cidr, p.cidr))
    rows.push(['IP Pool', pool.spec.cidr, String(cidrSize(cidr)), `${inPool.length} of ${blocks}`, ''])
    if (showBlocks) {
      for (const { a, cidr: c } of inPool.sort((x, y) => (x.cidr.network < y.cidr.network ? -1 : 1))) {
        rows.push(['Block', a.cidr, String(cidrSize(c)), a.state, a.node])
      }
    }
  }
  return boxTable(['GROUPING', 'CIDR', 'IPS TOTAL', showBlocks ? 'BLOCKS CLAIMED / STATE' : 'BLOCKS CLAIMED', 'NODE'], rows, {
    align: ['left', 'left', 'right', 'left', 'left'],
  })
}
