/**
 * The replay socket for the parse benchmark, in a process of its own so that producing a
 * million routes does not take CPU from the parser being measured:
 *   node replay-server.js COUNT    → prints {"socket": PATH} once listening
 * Serves `show route` (the replay helper's generator), `show route all` and `show status`.
 * Stops on SIGTERM/SIGINT or when its stdin closes (the parent went away).
 */
import { EventEmitter } from 'node:events'
import { Teardowns } from '../../test/helpers/netns.js'
import { generatedRouteReply, startReplayServer } from '../../test/helpers/replay-server.js'
import { generatedRouteAllReply, STATUS_REPLY } from '../parse/route-all-reply.js'

const count = Number(process.argv[2])
if (!Number.isInteger(count) || count <= 0) {
  process.stderr.write('usage: replay-server.js COUNT\n')
  process.exit(2)
}

// The helper's write() leaves one 'close' listener per backpressure wait on the socket
// until the reply ends; harmless for one reply, but it trips Node's leak warning.
EventEmitter.defaultMaxListeners = 0

const teardowns = new Teardowns()
let stopping = false
const stop = () => {
  if (stopping) return
  stopping = true
  void teardowns.run().finally(() => process.exit(0))
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
process.stdin.on('end', stop)
process.stdin.on('error', stop)
process.stdin.resume()

const server = await startReplayServer(teardowns, {
  answer: (cmd) => {
    if (cmd === 'show route') return { generate: generatedRouteReply(count) }
    if (cmd === 'show route all') return { generate: generatedRouteAllReply(count) }
    if (cmd === 'show status') return STATUS_REPLY
    return undefined
  },
})
process.stdout.write(`${JSON.stringify({ socket: server.socketPath })}\n`)
