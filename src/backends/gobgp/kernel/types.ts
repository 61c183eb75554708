export interface KernelProgrammer {
  /** The node's own blocks (both families): blackholed; never programmed from the RIB. */
  setLocalBlocks(prefixes: readonly string[]): void
  start(): Promise<void>          // reconcile the kernel with the RIB, then follow it
  /** keepRoutes: true on a graceful stop (agent restart): leave the kernel as it is. */
  stop(opts: { keepRoutes: boolean }): Promise<void>
}
