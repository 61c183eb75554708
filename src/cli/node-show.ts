import type { Command } from 'commander'
import { effectiveAsNumber } from './config-values.js'
import { withStore, write } from './context.js'
import { nodeShowTable } from './print/peer-tables.js'

export async function nodeShow(_opts: unknown, cmd: Command): Promise<void> {
  const text = await withStore(cmd, async (store) => {
    const [nodes, peers, global] = await Promise.all([
      store.list('Node'),
      store.list('BGPPeer'),
      store.get('BGPConfiguration', 'default'),
    ])
    return nodeShowTable(nodes, peers, effectiveAsNumber(global))
  })
  write(text)
}
