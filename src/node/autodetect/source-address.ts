import { createSocket, type Socket } from 'node:dgram'
import { lookup } from 'node:dns/promises'
import type { AddressFamily } from '../interfaces.js'
import { DestinationUnresolvedError } from './errors.js'
import { ipFamily } from './ip.js'

/**
 * Asks the kernel which local address it would use toward `destination` (an IP or a name
 * for the system resolver, so /etc/hosts counts): connect() on a UDP socket runs route and
 * source-address selection but sends nothing. Resolves undefined when there is no route.
 */
export async function kernelSourceAddress(
  destination: string,
  family: AddressFamily,
  timeoutMs = 10_000,
): Promise<string | undefined> {
  const ip = ipFamily(destination) === undefined ? await resolve(destination, family, timeoutMs) : destination
  const socket = createSocket(family === 4 ? 'udp4' : 'udp6')
  try {
    return await withTimeout(connectedSource(socket, ip), timeoutMs, () => new Error(`UDP connect to ${ip} timed out after ${timeoutMs} ms`))
  } finally {
    socket.close()
  }
}

// "No route" in the kernel's words; anything else is a real failure.
const NO_ROUTE = new Set(['ENETUNREACH', 'EHOSTUNREACH', 'EADDRNOTAVAIL', 'EAFNOSUPPORT'])

function connectedSource(socket: Socket, ip: string): Promise<string | undefined> {
  return new Promise((resolvePromise, reject) => {
    socket.once('error', reject)
    // Port 53 is arbitrary: connect() on UDP only fixes the peer; no packet leaves.
    socket.connect(53, ip, (err?: Error) => {
      if (err) {
        const code = (err as NodeJS.ErrnoException).code
        if (code !== undefined && NO_ROUTE.has(code)) resolvePromise(undefined)
        else reject(err)
        return
      }
      resolvePromise(socket.address().address)
    })
  })
}

async function resolve(name: string, family: AddressFamily, timeoutMs: number): Promise<string> {
  try {
    const found = await withTimeout(lookup(name, { family }), timeoutMs, () =>
      Object.assign(new Error(`timed out after ${timeoutMs} ms`), { code: 'ETIMEOUT' }),
    )
    return found.address
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message
    throw new DestinationUnresolvedError(name, family, code, { cause: err })
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, error: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(error()), ms)
  })
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer))
}
