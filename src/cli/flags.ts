import type { Command } from 'commander'
import { loadSettings, type Env, type Settings } from '../settings/index.js'

/** The options every falconer command accepts (registered once on the program). */
export interface GlobalFlags {
  config?: string
  prefix?: string
  datastoreTimeout?: string
  logLevel?: string
  birdBin?: string
}

export function globalFlags(cmd: Command): GlobalFlags {
  const o = cmd.optsWithGlobals<Record<string, unknown>>()
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined)
  const flags: GlobalFlags = {}
  const config = str(o.config)
  const prefix = str(o.prefix)
  const datastoreTimeout = str(o.datastoreTimeout)
  const logLevel = str(o.logLevel)
  const birdBin = str(o.birdBin)
  if (config !== undefined) flags.config = config
  if (prefix !== undefined) flags.prefix = prefix
  if (datastoreTimeout !== undefined) flags.datastoreTimeout = datastoreTimeout
  if (logLevel !== undefined) flags.logLevel = logLevel
  if (birdBin !== undefined) flags.birdBin = birdBin
  return flags
}

export function cliSettings(cmd: Command, env: Env = process.env): Settings {
  return loadSettings(globalFlags(cmd), env, 'client')
}

export function write(text: string): void {
  process.stdout.write(text)
}

export function writeErr(text: string): void {
  process.stderr.write(text)
}
