/**
 * The replay socket for the parse benchmark, in a process of its own so that producing a
 * million routes does not take CPU from the parser being measured:
 *   node replay-server.js COUNT [bird1|bird2]    → prints {"socket": PATH} once listening
 * Serves `show route` (the replay helper's generator), `show route all` and `show status`
 * in BIRD 1.6.8's wire format, or with `bird2` in BIRD 2.0.12's (greeting included).
 * Stops on SIGTERM/SIGINT or when its stdin closes (the parent went away).
 */
import { EventEmitter } from 'node:events'
import { Teardowns } from '../../test/helpers/netns.js'
import { generatedRouteReply, startReplayServer } from '../../test/helpers/replay-server.js'
import { BIRD2_GREETING, BIRD2_STATUS_REPLY, generatedBird2RouteReply } from '../parse/bird2-route-replies.js'
import { generatedRouteAllReply, STATUS_REPLY } from '../parse/route-all-reply.js'

const count = Number(process.argv[2])
const generation = process.argv[3] ?? 'bird1'
if (!Number.isInteger(count) || count <= 0 || (generation !== 'bird1' && generation !== 'bird2')) {
  process.stderr.write('usage: replay-server.js COUNT [bird1|bird2]\n')
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

const server = await startReplayServer(
  teardowns,
  generation === 'bird1'
    ? {
        answer: (cmd) => {
          if (cmd === 'show route') return { generate: generatedRouteReply(count) }
          if (cmd === 'show route all') return { generate: generatedRouteAllReply(count) }
          if (cmd === 'show status') return STATUS_REPLY
          return undefined
        },
      }
    : {
        greeting: BIRD2_GREETING,
        answer: (cmd) => {
          if (cmd === 'show route') return { generate: generatedBird2RouteReply(count, false) }
          if (cmd === 'show route all') return { generate: generatedBird2RouteReply(count, true) }
          if (cmd === 'show status') return BIRD2_STATUS_REPLY
          return undefined
        },
      },
)
process.stdout.write(`${JSON.stringify({ socket: server.socketPath })}\n`)
