/**
 * The multi-node lab (scripts/lab) for end-to-end tests: one lab per test file, torn down
 * in t.teardown (also when an assertion fails or the file throws), and on SIGINT/SIGTERM
 * (Ctrl-C at the terminal, or the runner giving up on the file). Each file picks its own
 * lab name, so files run in parallel without sharing a namespace.
 *
 *   const lab = await startLab(t, { name: 'e1', nodes: 3, tor: false })
 *   // every node's sessions are Established here
 */
import { Lab, type LabOptions } from '../../scripts/lab/lab.js'

export { Lab, LabError, type LabNode } from '../../scripts/lab/lab.js'
export { type NodeStatus, type PeerStatus, type RibPath, peersOf } from '../../scripts/lab/status.js'
export * as topology from '../../scripts/lab/topology.js'

/** The part of a tap test the lab needs. */
export interface LabTestHost {
  teardown(fn: () => unknown): void
  passing(): boolean
}

export interface TestLabOptions extends LabOptions {
  /** Wait until every session (mesh + ToR) is Established before returning (default true). */
  readonly waitEstablished?: boolean
}

export async function startLab(t: LabTestHost, opts: TestLabOptions): Promise<Lab> {
  const lab = new Lab(opts)
  const onSignal = (sig: NodeJS.Signals) => {
    process.stderr.write(`lab ${opts.name}: ${sig}, tearing down\n`)
    void lab.down().finally(() => process.kill(process.pid, sig))
  }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  t.teardown(async () => {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
    // What the agents, BIRD, etcd and gobgpd said, when it helps to explain a failure.
    if (!t.passing()) process.stderr.write(`lab ${opts.name} logs:\n${lab.logs(60)}\n`)
    try {
      await lab.down()
    } catch (err) {
      process.stderr.write(`lab ${opts.name}: teardown failed: ${err instanceof Error ? err.message : String(err)}\n`)
    }
  })
  await lab.up()
  if (opts.waitEstablished !== false) await lab.waitEstablished()
  return lab
}

/** Resolves after `ms`; only for spacing samples, never as a wait for a condition. */
export function pause(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms))
}
