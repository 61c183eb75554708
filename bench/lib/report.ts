import type { AgentOptions } from '../phases/agent.js'
import type { CliRow } from '../phases/cli.js'
import type { ParseRow } from '../phases/parse.js'
import type { RenderRow, SizeRow } from '../phases/render.js'
import type { Footprint } from '../agent/footprint.js'
import type { ColdStart } from '../agent/cold-start.js'
import type { Spread } from './stats.js'
import type { BenchBackend } from './backends.js'
import type { BenchConfig, PhaseName } from './config.js'
import type { Machine } from './machine.js'
import type { PhaseResult } from './phase.js'

/** What `npm run bench` writes to bench/results/<date>.json. */
export interface Report {
  readonly version: 1
  readonly mode: BenchConfig['mode']
  readonly date: string
  readonly machine: Machine
  readonly load: { readonly start: readonly number[]; readonly end: readonly number[] }
  readonly config: BenchConfig
  readonly phases: Partial<Record<PhaseName, PhaseResult>>
  readonly failures: readonly { readonly phase: PhaseName; readonly message: string }[]
  /** Every phase's figures, flat: the smoke test checks each is a finite number. */
  readonly figures: Readonly<Record<string, number>>
}

/** The `details` each phase returns (see the phases). */
export interface RenderDetails {
  readonly sizes: readonly SizeRow[]
  readonly rows: readonly RenderRow[]
}

export interface CliDetails {
  readonly rows: readonly CliRow[]
  readonly nodes: number
  readonly peers: number
}

export interface ParseDetails {
  readonly rows: readonly ParseRow[]
}

export interface AgentDetails {
  readonly converge: {
    readonly nodes: number
    readonly topology: string
    readonly node: string
    /** Per backend, in the order measured. */
    readonly backends: Partial<Record<BenchBackend, Record<'visible' | 'watch' | 'configure' | 'floor' | 'check', Spread> & { readonly probe?: Spread }>>
  }
  readonly footprint: {
    /** The backend whose agent was sampled. */
    readonly backend: BenchBackend
    readonly idle: Footprint
    readonly status: Footprint
    readonly statusUpdates: number
    readonly statusPeriodSeconds: number
    readonly floors: { readonly bare: Footprint; readonly etcd3: Footprint; readonly loaded: Footprint }
  }
  readonly coldStart: {
    readonly nodes: number
    readonly topology: string
    /** Median ms for node to load dist/cli/main.js and exit. */
    readonly codeLoadMs: number
    readonly roles: readonly { role: string; node: string; runs: readonly Omit<ColdStart, 'config'>[]; birdFloorMs: number; birdFloorFileLogMs: number }[]
  }
}

export type { AgentOptions }
