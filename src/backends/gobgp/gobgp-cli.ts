import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { execa } from 'execa'

/**
 * The `gobgp` command-line client, talking to falconer's gobgpd over its unix socket
 * (`gobgp --target unix://SOCK -j …`). Every part of the GoBGP backend (origination,
 * kernel programming, status) goes through this one door, so the socket, the timeout and
 * the error shape are decided once.
 */
export interface GobgpCliOptions {
  /** gobgpd's API socket (Paths.gobgpSocket). */
  readonly socket: string
  /** The `gobgp` executable; default `gobgp` on PATH (FALCONER_GOBGP_BIN). */
  readonly binary?: string
  /** Per call; default 10 s. */
  readonly timeoutMs?: number
}

/** gobgp could not be run, timed out, or gobgpd refused the request. */
export class GobgpCliError extends Error {
  override readonly name = 'GobgpCliError'
  constructor(
    readonly args: readonly string[],
    readonly reason: string,
    /** true when gobgpd is not there (socket missing or refusing): an observation, not a fault. */
    readonly unavailable: boolean,
  ) {
    super(`gobgp ${args.join(' ')}: ${reason}`)
  }
}

export class GobgpCli {
  readonly socket: string
  readonly binary: string
  private readonly timeoutMs: number

  constructor(opts: GobgpCliOptions) {
    this.socket = opts.socket
    this.binary = opts.binary ?? 'gobgp'
    this.timeoutMs = opts.timeoutMs ?? 10_000
  }

  /** Runs `gobgp --target … ARGS` and returns its stdout. */
  async run(args: readonly string[]): Promise<string> {
    const argv = ['--target', `unix://${this.socket}`, ...args]
    const r = await execa(this.binary, argv, { reject: false, timeout: this.timeoutMs, stdin: 'ignore' })
    if (r.timedOut) throw new GobgpCliError(args, `no answer within ${this.timeoutMs} ms`, false)
    if (r.exitCode === 0) return r.stdout
    if (r.exitCode === undefined) throw new GobgpCliError(args, `cannot run ${this.binary}: ${r.shortMessage}`, false)
    const text = (r.stderr || r.stdout).trim()
    // gRPC's words when nothing listens on the socket: the daemon is down, not broken.
    const unavailable = /connection refused|no such file or directory|Unavailable|context deadline exceeded/i.test(text)
    throw new GobgpCliError(args, text.slice(0, 500), unavailable)
  }

  /** Whether gobgpd answers its API now (`gobgp global`); any failure is "no". */
  async answers(): Promise<boolean> {
    try {
      await this.run(['global'])
      return true
    } catch {
      return false
    }
  }

  /** `gobgp -j ARGS`, parsed. */
  async json<T = unknown>(args: readonly string[]): Promise<T> {
    const out = await this.run(['-j', ...args])
    try {
      return JSON.parse(out === '' ? 'null' : out) as T
    } catch {
      throw new GobgpCliError(['-j', ...args], `answered with text that is not JSON: ${JSON.stringify(out.slice(0, 200))}`, false)
    }
  }

  /**
   * Runs `gobgp -j ARGS` for as long as it streams (`monitor …`), calling `onLine` with each
   * line it prints. It ends when gobgpd goes away (or was never there) or on `stop()`;
   * `exited` then resolves with what gobgp said on stderr.
   */
  stream(args: readonly string[], onLine: (line: string) => void): GobgpStream {
    const child = spawn(this.binary, ['--target', `unix://${this.socket}`, '-j', ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-2000)
    })
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.trim() !== '') onLine(line)
    })
    const exited = new Promise<{ code: number | null; stderr: string }>((resolve) => {
      child.once('close', (code) => resolve({ code, stderr: stderr.trim() }))
      // A spawn failure (no such executable) emits 'error' and no 'close'.
      child.once('error', (err) => resolve({ code: null, stderr: `cannot run ${this.binary}: ${err.message}` }))
    })
    return {
      exited,
      stop: () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
      },
    }
  }
}

/** A running `gobgp … monitor` (GobgpCli.stream). */
export interface GobgpStream {
  readonly exited: Promise<{ readonly code: number | null; readonly stderr: string }>
  stop(): void
}
