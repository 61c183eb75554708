/**
 * `node stop` / `node remove` refused or could not finish. The message is the operator's
 * one line (calicoctl's wording where it has one); exit status 1.
 */
export class LifecycleError extends Error {
  override readonly name = 'LifecycleError'
}
