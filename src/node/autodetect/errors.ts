import type { AddressFamily } from '../interfaces.js'
import type { Decision } from './decision.js'
import { summariseTrace } from './explain.js'

/** The method text is wrong: unknown method, bad regex, bad CIDR, wrong address family. */
export class AutodetectMethodError extends Error {
  override readonly name = 'AutodetectMethodError'
  constructor(
    readonly method: string,
    readonly reason: string,
    /** The offending regex or CIDR item, when one is to blame. */
    readonly item?: string,
  ) {
    super(`IP autodetection method "${method}": ${reason}`)
  }
}

/** The method is valid but nothing on this host satisfies it; `trace` says why, candidate by candidate. */
export class NoAddressFoundError extends Error {
  override readonly name = 'NoAddressFoundError'
  constructor(
    readonly method: string,
    readonly family: AddressFamily,
    readonly reason: string,
    readonly trace: readonly Decision[],
  ) {
    const summary = summariseTrace(trace)
    super(`IPv${family} autodetection (${method}) found no address: ${reason}${summary === '' ? '' : ` [${summary}]`}`)
  }
}

/** `can-reach=NAME` where the system resolver has no address of the wanted family for NAME. */
export class DestinationUnresolvedError extends Error {
  override readonly name = 'DestinationUnresolvedError'
  constructor(
    readonly destination: string,
    readonly family: AddressFamily,
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${destination} does not resolve to an IPv${family} address (${detail})`, options)
  }
}
