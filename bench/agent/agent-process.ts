import { spawn, type ChildProcess } from 'node:child_process'
import { createWriteStream, existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { TeardownHost } from '../../test/helpers/netns.js'
import { exited } from '../lib/child.js'
import { FALCONER_BIN } from '../lib/paths.js'
import { alive, signalPid } from '../lib/proc.js'
import { now } from '../lib/stats.js'

/** The line `node run --init-system` prints once the first config was applied. */
export const READY_LINE = 'Calico node started successfully'

export interface AgentStart {
  readonly prefix: string
  readonly nodeName: string
  readonly ip: string
  readonly etcdEndpoint: string
  /** FALCONER_BIRD_BIN for the agent (BIRD 2's bird); undefined: the `bird` on PATH. */
  readonly birdBin?: string
  /** `--backend=gobgp` with these FALCONER_GOBGPD_BIN / FALCONER_GOBGP_BIN; undefined: BIRD. */
  readonly gobgp?: { readonly gobgpd: string; readonly gobgp: string }
  /** The product's own node flags for the agent (what its systemd unit and detached launch use). */
  readonly nodeFlags: readonly string[]
}

/** Paths under the agent's --prefix (falconer's derivePaths layout). */
export function agentPaths(prefix: string) {
  const run = join(prefix, 'var/run/calico')
  return {
    birdConfig: join(prefix, 'etc/calico/confd/config/bird.cfg'),
    birdSocket: join(run, 'bird.ctl'),
    birdPid: join(run, 'bird.pid'),
    bird6Pid: join(run, 'bird6.pid'),
    gobgpConfig: join(prefix, 'etc/calico/confd/config/gobgpd.toml'),
    gobgpSocket: join(run, 'gobgp.sock'),
    gobgpPid: join(run, 'gobgpd.pid'),
    log: join(prefix, 'agent.log'),
  }
}

/**
 * The real agent, as systemd runs it: `node [AGENT_NODE_FLAGS] bin/falconer node run --init-system` in this
 * (namespaced) process's network namespace, its own BIRD supervised under --prefix.
 * Output goes to PREFIX/agent.log; `readyAt` is when READY_LINE appeared (performance.now()).
 */
export class AgentProcess {
  readonly paths: ReturnType<typeof agentPaths>
  readonly startedAt: number
  /** Date.now() at spawn, to place the agent's own (pino, epoch ms) log times. */
  readonly startedAtEpoch: number
  readyAt: number | undefined
  /** Plain stdout lines (startup's progress), with their arrival in ms since spawn. */
  private readonly said: { ms: number; msg: string }[] = []
  private readonly proc: ChildProcess
  private readonly done: Promise<[number | null, NodeJS.Signals | null]>

  private constructor(t: TeardownHost, readonly opts: AgentStart) {
    this.paths = agentPaths(opts.prefix)
    // The agent picks its daemon from these alone: never from the caller's environment.
    const own = new Set(['FALCONER_BIRD_BIN', 'FALCONER_GOBGPD_BIN', 'FALCONER_GOBGP_BIN', 'CALICO_NETWORKING_BACKEND'])
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('ETCD') && !own.has(k)))
    // Diagnosis only, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" (node refuses those in NODE_OPTIONS).
    const nodeArgs = (process.env['FALCONER_BENCH_AGENT_NODE_ARGS'] ?? '').split(' ').filter((a) => a !== '')
    this.startedAt = now()
    this.startedAtEpoch = Date.now()
    this.proc = spawn(
      process.execPath,
      [...opts.nodeFlags, ...nodeArgs, FALCONER_BIN, 'node', 'run', '--init-system', `--prefix=${opts.prefix}`, `--name=${opts.nodeName}`, `--ip=${opts.ip}`, '--no-default-ippools', ...(opts.gobgp !== undefined ? ['--backend=gobgp'] : [])],
      {
        env: {
          ...env,
          DATASTORE_TYPE: 'etcdv3',
          ETCD_ENDPOINTS: opts.etcdEndpoint,
          ...(opts.birdBin !== undefined && { FALCONER_BIRD_BIN: opts.birdBin }),
          ...(opts.gobgp !== undefined && { FALCONER_GOBGPD_BIN: opts.gobgp.gobgpd, FALCONER_GOBGP_BIN: opts.gobgp.gobgp }),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    this.done = exited(this.proc)
    const log = createWriteStream(this.paths.log, { flags: 'a' })
    let partial = ''
    this.proc.stdout!.on('data', (chunk: Buffer) => {
      log.write(chunk)
      const at = now()
      const lines = (partial + chunk.toString()).split('\n')
      partial = lines.pop() ?? ''
      for (const line of lines) {
        // Startup's plain lines (calico/node style) carry no time of their own: note arrival.
        if (!line.startsWith('{') && this.said.length < 100) this.said.push({ ms: at - this.startedAt, msg: line })
        if (this.readyAt === undefined && line.includes(READY_LINE)) this.readyAt = at
      }
    })
    this.proc.stderr!.on('data', (chunk: Buffer) => log.write(chunk))
    void this.done.then(() => log.end())
    t.teardown(() => this.stop())
  }

  static start(t: TeardownHost, opts: AgentStart): AgentProcess {
    return new AgentProcess(t, opts)
  }

  get pid(): number {
    if (this.proc.pid === undefined) throw new Error('the agent did not start')
    return this.proc.pid
  }

  get running(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null
  }

  /** The PID of the agent's daemon (BIRD for IPv4, or gobgpd) from its pid file, while it runs. */
  birdPid(): number | undefined {
    return pidFrom(this.opts.gobgp !== undefined ? this.paths.gobgpPid : this.paths.birdPid)
  }

  logTail(lines = 30): string {
    try {
      return readFileSync(this.paths.log, 'utf8').split('\n').slice(-lines).join('\n')
    } catch {
      return ''
    }
  }

  /**
   * Where a cold start spends its time: the agent's log records (pino JSON, their own
   * times) and startup's plain stdout lines (arrival times), in ms since spawn.
   */
  timeline(limit = 40): { ms: number; msg: string }[] {
    let text = ''
    try {
      text = readFileSync(this.paths.log, 'utf8')
    } catch {
      return [...this.said]
    }
    const out: { ms: number; msg: string }[] = [...this.said]
    for (const line of text.split('\n')) {
      if (!line.startsWith('{')) continue
      try {
        const entry = JSON.parse(line) as { time?: unknown; msg?: unknown }
        // pino's isoTime, or epoch milliseconds
        const time = typeof entry.time === 'string' ? Date.parse(entry.time) : entry.time
        if (typeof time === 'number' && Number.isFinite(time) && typeof entry.msg === 'string') {
          out.push({ ms: time - this.startedAtEpoch, msg: entry.msg })
        }
      } catch {
        // not a log record
      }
      if (out.length >= limit) break
    }
    return out.sort((a, b) => a.ms - b.ms).map((e) => ({ ms: Math.round(e.ms), msg: e.msg }))
  }

  /** Throws (with the log's tail) if the agent has exited. */
  assertRunning(): void {
    if (!this.running) throw new Error(`the agent exited (${this.proc.signalCode ?? this.proc.exitCode}):\n${this.logTail()}`)
  }

  /**
   * SIGTERM (the agent stops its BIRDs / gobgpd itself), SIGKILL after 20 s; then any daemon it left
   * behind is stopped by the PID in its pid file.
   */
  async stop(): Promise<void> {
    const birds = this.running ? this.ownBirds() : []
    if (this.running && this.proc.pid !== undefined) {
      const pid = this.proc.pid
      signalPid(pid, 'SIGTERM')
      const timer = setTimeout(() => alive(pid) && signalPid(pid, 'SIGKILL'), 20_000)
      await this.done
      clearTimeout(timer)
    }
    for (const bird of birds) {
      if (startTimeOf(bird.pid) === bird.startTime) signalPid(bird.pid, 'SIGTERM')
    }
  }

  /**
   * The BIRDs this agent runs now: a pid file's process counts only while it is the
   * agent's child, and is remembered with its start time, so that a PID reused later
   * (other BIRDs run on this machine) is never signalled.
   */
  private ownBirds(): { pid: number; startTime: string }[] {
    const out: { pid: number; startTime: string }[] = []
    for (const file of [this.paths.birdPid, this.paths.bird6Pid, this.paths.gobgpPid]) {
      const pid = pidFrom(file)
      const stat = pid === undefined ? undefined : statOf(pid)
      if (pid !== undefined && stat !== undefined && stat.ppid === this.proc.pid) out.push({ pid, startTime: stat.startTime })
    }
    return out
  }
}

function pidFrom(file: string): number | undefined {
  if (!existsSync(file)) return undefined
  const pid = Number(readFileSync(file, 'utf8').trim())
  return Number.isInteger(pid) && pid > 0 ? pid : undefined
}

/** Parent PID and start time (clock ticks since boot) of a process; undefined once it is gone. */
function statOf(pid: number): { ppid: number; startTime: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // Fields after the command name (which may hold spaces): state, ppid, … starttime (22).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return { ppid: Number(fields[1]), startTime: fields[19] ?? '' }
  } catch {
    return undefined
  }
}

function startTimeOf(pid: number): string | undefined {
  return statOf(pid)?.startTime
}
