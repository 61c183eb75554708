/**
 * A stand-in for BIRD's control socket that replays recorded replies, for testing the
 * client's framing, queueing, timeouts and reconnects without a daemon. (Parsing against a
 * live BIRD is covered by test/integration/bird-control.)
 *
 *   const server = await startReplayServer(t, { answer: (cmd) => replies[cmd] })
 *   const ctl = new BirdControl({ socketPath: server.socketPath })
 *
 * Like BIRD it greets with "0001 BIRD 1.6.8 ready.", reads '\n'-terminated commands and
 * answers them in order, one connection at a time each. Knobs: `chunkSize` splits every
 * write into pieces of that many bytes, each written on its own turn of the event loop;
 * an answer can stall (never reply), drop the connection, or be generated lazily with
 * backpressure (millions of routes without holding them).
 */
import { once } from 'node:events'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, type Server, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setImmediate as nextTurn } from 'node:timers/promises'
import { birdFixture } from './fixtures.js'

export const GREETING = '0001 BIRD 1.6.8 ready.\n'

export type ReplayAnswer =
  /** Raw wire text, e.g. "0013 Daemon is up and running\n". */
  | string
  /** Never answer (BIRD busy reconfiguring or scanning). */
  | { readonly stall: true }
  /** Close the connection instead of answering (BIRD stopped). */
  | { readonly drop: true }
  /** Raw wire text produced piece by piece and written only as fast as the client reads. */
  | { readonly generate: () => Iterable<string> }

export interface ReplayServerOptions {
  /** The answer to a command; undefined means BIRD's "9001 syntax error". */
  readonly answer: (command: string) => ReplayAnswer | undefined
  readonly greeting?: string
  /** Split every write into pieces of this many bytes (1 = a byte at a time). */
  readonly chunkSize?: number
}

export interface ReplayServer {
  readonly socketPath: string
  /** Every command received, in order, across connections. */
  readonly commands: readonly string[]
  /** Connections accepted so far. */
  readonly connections: number
  readonly openConnections: number
  /** Commands that arrived while an earlier reply on the same connection was unfinished. */
  readonly overlapping: number
  /** Closes every open connection now, as BIRD does when it stops. */
  dropAll(): void
  close(): Promise<void>
}

interface TeardownHost {
  teardown(fn: () => unknown): void
}

export async function startReplayServer(t: TeardownHost, opts: ReplayServerOptions): Promise<ReplayServer> {
  const dir = await mkdtemp(join(tmpdir(), 'fa-replay-'))
  const socketPath = join(dir, 'bird.ctl')
  const sockets = new Set<Socket>()
  const commands: string[] = []
  let connections = 0
  let overlapping = 0

  const server: Server = createServer((socket) => {
    connections++
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => {})
    const queue: string[] = []
    let busy = false
    let partial = ''

    const serve = async (): Promise<void> => {
      if (busy) return
      busy = true
      try {
        for (let cmd = queue.shift(); cmd !== undefined && !socket.destroyed; cmd = queue.shift()) {
          const answer = opts.answer(cmd) ?? '9001 syntax error\n'
          if (typeof answer === 'string') await write(socket, answer, opts.chunkSize)
          else if ('stall' in answer) return // stays busy: later commands are never answered either
          else if ('drop' in answer) return void socket.destroy()
          else for (const piece of answer.generate()) if (!(await write(socket, piece, opts.chunkSize))) return
        }
      } catch {
        socket.destroy()
        return
      }
      busy = false
    }

    socket.on('data', (chunk: Buffer) => {
      partial += chunk.toString('utf8')
      for (let nl = partial.indexOf('\n'); nl >= 0; nl = partial.indexOf('\n')) {
        const cmd = partial.slice(0, nl)
        partial = partial.slice(nl + 1)
        commands.push(cmd)
        if (busy || queue.length > 0) overlapping++
        queue.push(cmd)
      }
      void serve()
    })
    void write(socket, opts.greeting ?? GREETING, opts.chunkSize)
  })

  server.listen(socketPath)
  await once(server, 'listening')

  let closed = false
  const close = async (): Promise<void> => {
    if (closed) return
    closed = true
    for (const s of sockets) s.destroy()
    await new Promise<void>((resolve) => server.close(() => resolve()))
    await rm(dir, { recursive: true, force: true })
  }
  t.teardown(close)

  return {
    socketPath,
    get commands() {
      return commands
    },
    get connections() {
      return connections
    },
    get openConnections() {
      return sockets.size
    },
    get overlapping() {
      return overlapping
    },
    dropAll: () => {
      for (const s of sockets) s.destroy()
    },
    close,
  }
}

/** Writes, waiting for 'drain' when the client reads slowly; false once the socket is gone. */
async function write(socket: Socket, text: string, chunkSize: number | undefined): Promise<boolean> {
  const pieces = chunkSize === undefined ? [text] : splitBytes(text, chunkSize)
  for (const piece of pieces) {
    if (socket.destroyed) return false
    if (!socket.write(piece)) {
      const drained = await Promise.race([once(socket, 'drain').then(() => true), once(socket, 'close').then(() => false)])
      if (!drained) return false
    }
    // Its own turn of the event loop, so the client really receives the pieces apart.
    if (chunkSize !== undefined) await nextTurn()
  }
  return !socket.destroyed
}

function splitBytes(text: string, size: number): Buffer[] {
  const bytes = Buffer.from(text, 'utf8')
  const out: Buffer[] = []
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size))
  return out
}

// ─── recorded replies ───────────────────────────────────────────────────────

/** A raw_* fixture's reply: the wire text after BIRD's greeting. */
export function recordedReply(fixture: string): string {
  return recordedReplies(fixture)[0] ?? ''
}

/** A raw_* fixture split into its replies (raw_v4_two_commands_one_connection.txt holds two). */
export function recordedReplies(fixture: string): string[] {
  const text = birdFixture(fixture)
  const body = text.startsWith(GREETING) ? text.slice(GREETING.length) : text
  const replies: string[] = []
  let start = 0
  for (const m of body.matchAll(/^\d{4} .*\n/gm)) {
    const end = (m.index ?? 0) + m[0].length
    replies.push(body.slice(start, end))
    start = end
  }
  return replies
}

// ─── generated routes ───────────────────────────────────────────────────────

/** What the generator puts in route number `i` (0-based), for tests to check against. */
export interface GeneratedRoute {
  readonly network: string
  readonly kind: 'via' | 'blackhole' | 'dev'
  readonly gateway: string | undefined
  readonly protocol: string
  readonly placement: 'FIB' | 'RIB'
}

/**
 * Every fourth route is a second, non-selected path to the previous route's network, so
 * its line leaves the network blank as BIRD does; the rest cycle through via, blackhole
 * and dev routes, each network a /32 numbered after its route.
 */
export function generatedRoute(i: number): GeneratedRoute {
  const slot = i % 4
  const n = slot === 3 ? i - 1 : i
  const network = `10.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}/32`
  switch (slot) {
    case 0:
      return { network, kind: 'via', gateway: '10.99.0.2', protocol: 'Mesh_10_99_0_2', placement: 'FIB' }
    case 1:
      return { network, kind: 'blackhole', gateway: undefined, protocol: 'pod_blocks', placement: 'FIB' }
    case 2:
      return { network, kind: 'dev', gateway: undefined, protocol: 'direct1', placement: 'FIB' }
    default:
      return { network, kind: 'via', gateway: '10.99.0.3', protocol: 'Mesh_10_99_0_3', placement: 'RIB' }
  }
}

function routeText(i: number): string {
  const r = generatedRoute(i)
  const dest = i % 4 === 3 ? '' : r.network
  const pad = dest.padEnd(18, ' ')
  switch (i % 4) {
    case 0:
      return `${pad} via 10.99.0.2 on eth0 [Mesh_10_99_0_2 11:42:35] * (100/0) [AS64513i]`
    case 1:
      return `${pad} blackhole [pod_blocks 11:40:21] * (200)`
    case 2:
      return `${pad} dev eth0 [direct1 11:40:21] * (240)`
    default:
      return `${pad} via 10.99.0.3 on eth1 [Mesh_10_99_0_3 2026-11-22 11:42:36] (100/10) [AS64514?]`
  }
}

/** A `show route` reply of `count` routes in wire format, made ~64 KiB at a time. */
export function generatedRouteReply(count: number): () => Iterable<string> {
  return function* () {
    let piece = ''
    for (let i = 0; i < count; i++) {
      piece += (i === 0 ? '1007-' : ' ') + routeText(i) + '\n'
      if (piece.length >= 65_536) {
        yield piece
        piece = ''
      }
    }
    yield `${piece}0000 \n`
  }
}
