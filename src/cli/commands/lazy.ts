/**
 * Every command's implementation is loaded only when that command runs: the program tree
 * (names, options, help text) is built from the files in this directory, which import
 * nothing but commander. `falconer --help` or `node status` then never load etcd/gRPC,
 * handlebars, prom-client or pino, which cost more start-up time than the work itself.
 *
 *   .action(lazy(() => import('../node-status.js'), 'nodeStatus'))
 *
 * runs `nodeStatus(...args)` from src/cli/node-status.ts with commander's usual action
 * arguments (positional arguments, options, the Command).
 */
// commander hands actions loosely typed arguments; each implementation declares its own.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Action = (...args: any[]) => unknown

export function lazy<K extends string, M extends { readonly [key in K]: Action }>(
  load: () => Promise<M>,
  name: K,
): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    const mod = await load()
    await mod[name](...args)
  }
}
