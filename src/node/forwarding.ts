import { access, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

/**
 * Every Calico node is a router: packets for workloads and other nodes' blocks must be
 * forwarded. The sysctls are per network namespace, so a node started with
 * `ip netns exec` changes only its own namespace.
 */
export class ForwardingError extends Error {
  override readonly name = 'ForwardingError'
  constructor(
    readonly family: 4 | 6,
    readonly file: string,
    options?: { cause?: unknown },
  ) {
    super(`Could not enable ipv${family} forwarding (${file}: ${(options?.cause as Error | undefined)?.message ?? 'write failed'})`, options)
  }
}

/** `/proc/sys/net`; a parameter so a test can point it at a directory of its own. */
export const PROC_SYS_NET = '/proc/sys/net'

export interface ForwardingResult {
  readonly ipv4: true
  /** false when the kernel has no IPv6 (no /proc/sys/net/ipv6). */
  readonly ipv6: boolean
}

export async function enableForwarding(say: (line: string) => void, procSysNet = PROC_SYS_NET): Promise<ForwardingResult> {
  say('Enabling IPv4 forwarding')
  await writeSysctl(4, join(procSysNet, 'ipv4', 'ip_forward'))
  const ipv6 = await exists(join(procSysNet, 'ipv6'))
  if (ipv6) {
    say('Enabling IPv6 forwarding')
    await writeSysctl(6, join(procSysNet, 'ipv6', 'conf', 'all', 'forwarding'))
  }
  return { ipv4: true, ipv6 }
}

async function writeSysctl(family: 4 | 6, file: string): Promise<void> {
  try {
    await writeFile(file, '1')
  } catch (err) {
    throw new ForwardingError(family, file, { cause: err })
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path)
    return true
  } catch {
    return false
  }
}
