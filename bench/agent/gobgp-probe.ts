/**
 * What gobgpd runs, asked the way the converge phase can afford to ask it every 2 ms.
 *
 * `gobgp --target unix://SOCK -j neighbor` is a whole Go process per question (tens of ms
 * of its own, see bench/README.md), far coarser than the 2 ms poll; so visibility is asked
 * in-process over gobgpd's own gRPC API instead: `ListPeer{address}` on the same unix
 * socket, a server stream that yields the peer when gobgpd has it and ends empty when it
 * does not. The request is encoded by hand (field 1, the address) and the reply is not
 * decoded: a message that carries the address bytes is the answer. The client is
 * @grpc/grpc-js, which the product already loads for etcd3; package.json pins it (dev) so the
 * bench does not lean on a transitive dependency.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createWriteStream } from 'node:fs'
import { rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { credentials, Client, status, type ServiceError } from '@grpc/grpc-js'
import type { TeardownHost } from '../../test/helpers/netns.js'
import { exited } from '../lib/child.js'
import { alive, signalPid } from '../lib/proc.js'
import { now } from '../lib/stats.js'

const run = promisify(execFile)

/** gobgpd 3.x's service (`package apipb`). */
const LIST_PEER = '/apipb.GobgpApi/ListPeer'

/** ListPeerRequest { string address = 1; }: tag 0x0a, length, UTF-8 bytes. */
function listPeerRequest(address: string): Buffer {
  const bytes = Buffer.from(address, 'utf8')
  if (bytes.length > 127) throw new Error(`address too long for the one-byte length: ${address}`)
  return Buffer.concat([Buffer.from([0x0a, bytes.length]), bytes])
}

export class GobgpApi {
  private readonly client: Client

  constructor(readonly socket: string) {
    this.client = new Client(`unix:${socket}`, credentials.createInsecure())
  }

  /** Whether gobgpd lists a neighbor at `address` now. */
  hasPeer(address: string): Promise<boolean> {
    const wanted = Buffer.from(address, 'utf8')
    return new Promise((resolve, reject) => {
      let found = false
      const call = this.client.makeServerStreamRequest<Buffer, Buffer>(
        LIST_PEER,
        (b) => b,
        (b) => b,
        listPeerRequest(address),
        { deadline: Date.now() + 30_000 },
      )
      call.on('data', (msg: Buffer) => {
        if (msg.includes(wanted)) found = true
      })
      call.on('error', (err: ServiceError) => {
        // gobgpd versions differ: "not found" may be an error rather than an empty stream.
        if (err.code === status.NOT_FOUND || /not found/i.test(err.details)) resolve(false)
        else reject(new Error(`gobgpd ListPeer ${address} on ${this.socket}: ${err.details || err.message}`))
      })
      call.on('end', () => resolve(found))
    })
  }

  /** Until the API answers (a ListPeer of an address nobody uses), or `timeoutMs`. */
  async ready(timeoutMs = 30_000): Promise<void> {
    const deadline = now() + timeoutMs
    for (;;) {
      try {
        await this.hasPeer('192.0.2.255')
        return
      } catch (err) {
        if (now() > deadline) throw new Error(`gobgpd does not answer on ${this.socket} within ${timeoutMs} ms: ${err instanceof Error ? err.message : String(err)}`)
        await sleep(50)
      }
    }
  }

  close(): void {
    this.client.close()
  }
}

/** gobgpd's neighbor addresses through its own client (`gobgp -j neighbor`): for settling, not timed. */
export async function gobgpNeighbors(gobgp: string, socket: string): Promise<Set<string>> {
  const { stdout } = await run(gobgp, ['--target', `unix://${socket}`, '-j', 'neighbor'], { timeout: 30_000 })
  const peers = JSON.parse(stdout === '' ? '[]' : stdout) as { conf?: { neighbor_address?: string } }[] | null
  return new Set((peers ?? []).map((p) => p.conf?.neighbor_address).filter((a): a is string => a !== undefined))
}

/** The `neighbor-address`es of a gobgpd.toml. */
export function neighborsInToml(text: string): Set<string> {
  return new Set([...text.matchAll(/^\s*neighbor-address = "([^"]+)"/gm)].map((m) => m[1]!))
}

/** The same file with gobgpd listening on no port (`[global.config] port = -1`), for a second gobgpd beside the agent's. */
export function withoutListening(text: string): string {
  const out: string[] = []
  let inGlobalConfig = false
  for (const line of text.split('\n')) {
    const header = /^\s*\[\[?([^\]]+)\]\]?\s*$/.exec(line)
    if (header) {
      inGlobalConfig = header[1]!.trim() === 'global.config'
      out.push(line)
      if (inGlobalConfig) out.push('  port = -1')
      continue
    }
    if (inGlobalConfig && /^\s*(port|local-address-list)\s*=/.test(line)) continue
    out.push(line)
  }
  if (!out.includes('  port = -1')) throw new Error('the gobgpd config has no [global.config] table')
  return out.join('\n')
}

/** `gobgpd -d -t toml -f FILE`, timed: the check the agent runs on every candidate file before applying it. */
export async function gobgpdCheckMs(gobgpd: string, file: string): Promise<number> {
  const t0 = now()
  const proc = spawn(gobgpd, ['-d', '-t', 'toml', '-f', file], { stdio: 'ignore' })
  const [code] = await exited(proc)
  if (code !== 0) throw new Error(`${gobgpd} -d -t toml -f ${file} exited ${code}`)
  return now() - t0
}

/**
 * The floor's own gobgpd: started by the bench beside the agent's (same namespace, its own
 * API socket, listening on no port), on a copy of the agent's file. For each change it is
 * given the agent's new file and a SIGHUP, and timed until it lists the new neighbor: what
 * gobgpd itself needs to take that file (read, diff, delete the old neighbor, add the new),
 * measured with the same probe and poll as the agent's figure.
 */
export class FloorGobgpd {
  readonly api: GobgpApi
  private readonly proc: ChildProcess
  private readonly done: Promise<[number | null, NodeJS.Signals | null]>

  private constructor(
    t: TeardownHost,
    private readonly gobgpd: string,
    readonly dir: string,
  ) {
    const log = createWriteStream(join(dir, 'gobgpd.log'))
    this.proc = spawn(gobgpd, ['-f', this.file, '-t', 'toml', '--api-hosts', `unix://${this.socket}`, '--pprof-disable', '-p'], { stdio: ['ignore', 'pipe', 'pipe'] })
    this.proc.stdout!.pipe(log)
    this.proc.stderr!.pipe(log)
    this.done = exited(this.proc)
    this.api = new GobgpApi(this.socket)
    t.teardown(() => this.stop())
  }

  get file(): string {
    return join(this.dir, 'gobgpd.toml')
  }

  get socket(): string {
    return join(this.dir, 'gobgp.sock')
  }

  /** Starts it on `agentText` (made non-listening) and waits until its API answers. */
  static async start(t: TeardownHost, gobgpd: string, dir: string, agentText: string): Promise<FloorGobgpd> {
    await writeFile(join(dir, 'gobgpd.toml'), withoutListening(agentText))
    const floor = new FloorGobgpd(t, gobgpd, dir)
    await Promise.race([
      floor.api.ready(),
      floor.done.then(([code, signal]) => {
        throw new Error(`the floor's gobgpd exited (${signal ?? code}) before answering; its log is ${join(dir, 'gobgpd.log')}`)
      }),
    ])
    return floor
  }

  /** The agent's new file in place (renamed, as the agent does), SIGHUP → `address` listed. */
  async reloadMs(agentText: string, address: string, pollMs: number): Promise<number> {
    const pid = this.pid
    const tmp = `${this.file}.new`
    await writeFile(tmp, withoutListening(agentText))
    await rename(tmp, this.file)
    const t0 = now()
    signalPid(pid, 'SIGHUP')
    const deadline = t0 + 60_000
    for (;;) {
      if (await this.api.hasPeer(address)) return now() - t0
      if (!alive(pid)) throw new Error(`the floor's gobgpd (pid ${pid}) exited after SIGHUP`)
      if (now() > deadline) throw new Error(`the floor's gobgpd did not list ${address} within 60 s of SIGHUP`)
      await sleep(pollMs)
    }
  }

  get pid(): number {
    if (this.proc.pid === undefined) throw new Error("the floor's gobgpd did not start")
    return this.proc.pid
  }

  /** SIGTERM by PID, SIGKILL after 10 s. */
  async stop(): Promise<void> {
    this.api.close()
    const pid = this.proc.pid
    if (pid === undefined || this.proc.exitCode !== null || this.proc.signalCode !== null) return
    signalPid(pid, 'SIGTERM')
    const timer = setTimeout(() => alive(pid) && signalPid(pid, 'SIGKILL'), 10_000)
    await this.done
    clearTimeout(timer)
  }
}
