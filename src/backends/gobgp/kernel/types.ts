import type { Logger } from '../../../log.js'
import type { GobgpCli } from '../gobgp-cli.js'

/**
 * Programs the routes gobgpd learned into the kernel (gobgpd installs none itself), under
 * falconer's own routing protocol number, and blackholes the node's own blocks.
 */
export interface KernelProgrammer {
  /** The node's own blocks (both families): blackholed; never programmed from the RIB. */
  setLocalBlocks(prefixes: readonly string[]): void
  /**
   * Ranges whose routes are never programmed though gobgpd learned them: the intent's
   * service addresses and the pools with `programKernel` false, as the BIRD backends'
   * kernel filter rejects them. Default none.
   */
  setUnprogrammedRanges(cidrs: readonly string[]): void
  start(): Promise<void> // reconcile the kernel with the RIB, then follow it
  /** keepRoutes: true on a graceful stop (agent restart): leave the kernel as it is. */
  stop(opts: { keepRoutes: boolean }): Promise<void>
}

/**
 * What the backend runtime hands the programmer: its gobgp client and logger. Anything
 * else (`protocol`, an `ip netns exec` prefix in tests) is bound by whoever makes the
 * factory (`createKernelProgrammer` in the agent; a closure in tests).
 */
export type KernelProgrammerFactory = (opts: { readonly cli: GobgpCli; readonly log: Logger }) => KernelProgrammer
