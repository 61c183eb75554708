import type { Decision } from './decision.js'

/** One aligned line per decision, for `node autodetect --explain`. */
export function formatTrace(trace: readonly Decision[]): string[] {
  const nameWidth = Math.max(9, ...trace.map((d) => d.interface.length))
  const addrWidth = Math.max(7, ...trace.map((d) => (d.address ?? '-').length))
  return trace.map(
    (d) => `${d.decision.padEnd(7)}  ${d.interface.padEnd(nameWidth)}  ${(d.address ?? '-').padEnd(addrWidth)}  ${d.reason}`,
  )
}

const SUMMARY_LIMIT = 12

/** The trace squeezed onto one line for an error message: `eth0: interface is down; docker0: …`. */
export function summariseTrace(trace: readonly Decision[]): string {
  const parts = trace
    .slice(0, SUMMARY_LIMIT)
    .map((d) => `${d.interface}${d.address === undefined ? '' : ` ${d.address}`}: ${d.reason}`)
  if (trace.length > SUMMARY_LIMIT) parts.push(`… ${trace.length - SUMMARY_LIMIT} more (run \`falconer node autodetect --explain\`)`)
  return parts.join('; ')
}
