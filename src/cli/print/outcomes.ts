/**
 * The summary calicoctl prints after create / apply / replace / delete:
 *
 *   Successfully created 2 'BGPPeer' resource(s)
 *   Failed to create 'BGPPeer' resource: [resource already exists: BGPPeer(peer1)]
 *
 * Unlike calicoctl, which stops at the first failure, every resource is attempted; each
 * failure gets its own line. Pure.
 */

export type Action = 'create' | 'apply' | 'replace' | 'delete'

const PAST: Record<Action, string> = { create: 'created', apply: 'applied', replace: 'replaced', delete: 'deleted' }

export type Outcome =
  | { readonly ok: true; readonly kind: string }
  | { readonly ok: false; readonly kind: string; readonly reason: string }

export interface Report {
  /** The success line, or '' when nothing succeeded. */
  readonly stdout: string
  /** One line per failure. */
  readonly stderr: string
  readonly failures: number
}

export function reportOutcomes(action: Action, outcomes: readonly Outcome[]): Report {
  const succeeded = outcomes.filter((o) => o.ok)
  const failed = outcomes.filter((o): o is Extract<Outcome, { ok: false }> => !o.ok)
  let stdout = ''
  if (succeeded.length > 0) {
    const kinds = new Set(succeeded.map((o) => o.kind))
    const only = kinds.size === 1 ? [...kinds][0] : undefined
    stdout = only !== undefined
      ? `Successfully ${PAST[action]} ${succeeded.length} '${only}' resource(s)\n`
      : `Successfully ${PAST[action]} ${succeeded.length} resource(s)\n`
  }
  const stderr = failed.map((o) => `Failed to ${action} '${o.kind}' resource: [${o.reason}]\n`).join('')
  return { stdout, stderr, failures: failed.length }
}
