/**
 * Every autodetection explains itself: one entry per interface or address it looked at,
 * in the order it looked, saying whether it was chosen or skipped and why.
 */
export interface Decision {
  readonly interface: string
  /** `ip/prefixlen`; absent when the whole interface was decided on. */
  readonly address?: string
  readonly decision: 'chosen' | 'skipped'
  readonly reason: string
}

export interface Chosen {
  /** The interface's address with its prefix length, e.g. `10.0.0.5/24` (what Node.spec.bgp stores). */
  readonly address: string
  readonly interface: string
}

/** The pure result of a selection: a choice (or none, with the reason) and the trace behind it. */
export type Selection =
  | { readonly chosen: Chosen; readonly trace: readonly Decision[] }
  | { readonly chosen: undefined; readonly reason: string; readonly trace: readonly Decision[] }
