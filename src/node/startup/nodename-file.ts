import { atomicWrite } from './atomic-write.js'

/**
 * Remembers the node name for later runs (`/var/lib/calico/nodename`), so a hostname
 * change cannot silently register a second node. Written atomically (invariant 3).
 */
export async function writeNodenameFile(file: string, nodeName: string): Promise<void> {
  await atomicWrite(file, nodeName)
}
