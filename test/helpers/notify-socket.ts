import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TeardownHost } from './netns.js'

/**
 * A NOTIFY_SOCKET as systemd provides one: an AF_UNIX datagram socket bound to a path.
 * Node cannot bind AF_UNIX SOCK_DGRAM, so a small python3 process listens and prints each
 * datagram as one JSON line (newlines inside a message are the field separators). It does
 * not accept the file descriptors systemd-notify's BARRIER=1 passes: the kernel closes
 * them as the datagram is read, which releases the barrier just as systemd does.
 */
export interface NotifySocket {
  readonly path: string
  /** Every message received so far, each as its list of KEY=VALUE fields. */
  messages(): string[][]
}

const LISTENER = `
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print("listening", flush=True)
while True:
    data = s.recv(65536)
    print(json.dumps(data.decode()), flush=True)
`

export async function listenNotifySocket(t: TeardownHost): Promise<NotifySocket> {
  const dir = await mkdtemp(join(tmpdir(), 'falconer-notify-'))
  const path = join(dir, 'notify.sock')
  const child = spawn('python3', ['-c', LISTENER, path], { stdio: ['ignore', 'pipe', 'inherit'] })
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r))
      child.kill('SIGTERM')
      await exited
    }
    await rm(dir, { recursive: true, force: true })
  })
  const received: string[][] = []
  let buffer = ''
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject)
    child.once('exit', (code) => reject(new Error(`notify listener exited (${code})`)))
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      buffer += chunk
      let nl: number
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl)
        buffer = buffer.slice(nl + 1)
        if (line === 'listening') resolve()
        else received.push((JSON.parse(line) as string).split('\n').filter((f) => f !== ''))
      }
    })
  })
  return { path, messages: () => received.map((m) => [...m]) }
}
