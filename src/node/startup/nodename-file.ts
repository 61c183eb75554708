import { writeFileAtomic } from '../../fs/atomic-file.js'

/**
 * Remembers the node name for later runs (`/var/lib/calico/nodename`), so a hostname
 * change cannot silently register a second node. Written atomically (invariant 3 in docs/design.md).
 */
export async function writeNodenameFile(file: string, nodeName: string): Promise<void> {
  await writeFileAtomic(file, nodeName)
}
