import { execa } from 'execa'

/**
 * The host's interfaces and addresses as the kernel reports them (`ip -j addr show`).
 * Parsing is a pure function over the JSON text so it is testable from fixtures; listing
 * is a thin wrapper whose command runner is injectable (tests prefix `ip netns exec NS`).
 */

export type AddressFamily = 4 | 6

export interface IfaceAddress {
  readonly family: AddressFamily
  /** The interface's own address (`local` in iproute2's JSON, not the point-to-point peer). */
  readonly address: string
  readonly prefixlen: number
  /** `global`, `link`, `host`, `site`, `nowhere` or a number, as iproute2 prints it. */
  readonly scope: string
  /** DAD has not finished: the kernel will not use the address yet (IPv6). */
  readonly tentative: boolean
  /** Preferred lifetime is over: the kernel avoids it as a source (preferred_lft 0). */
  readonly deprecated: boolean
  /** DAD found another host with this address: it is unusable (IPv6). */
  readonly dadfailed: boolean
  /** Every flag iproute2 set to true on the address (tentative, nodad, noprefixroute…). */
  readonly flags: readonly string[]
}

export interface Iface {
  readonly index: number
  readonly name: string
  /** Link flags in the kernel's words: UP, LOWER_UP, LOOPBACK, BROADCAST, NO-CARRIER… */
  readonly flags: readonly string[]
  /** RFC 2863 state: UP, DOWN, UNKNOWN (dummy, loopback), LOWERLAYERDOWN, DORMANT… */
  readonly operstate: string
  /** In the kernel's order: IPv4 primaries first, IPv6 newest first. */
  readonly addresses: readonly IfaceAddress[]
}

/** Runs a command and resolves with its stdout; rejects when it fails. */
export type CommandRunner = (command: string, args: readonly string[]) => Promise<string>

export class InterfaceListError extends Error {
  override readonly name = 'InterfaceListError'
  constructor(
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`listing network interfaces: ${reason}`, options)
  }
}

export const IP_ADDR_COMMAND: readonly [string, readonly string[]] = ['ip', ['-j', 'addr', 'show']]

export const defaultCommandRunner: CommandRunner = async (command, args) => {
  const r = await execa(command, args, { timeout: 30_000, stdin: 'ignore' })
  return r.stdout
}

export async function listInterfaces(run: CommandRunner = defaultCommandRunner): Promise<Iface[]> {
  const [command, args] = IP_ADDR_COMMAND
  let text: string
  try {
    text = await run(command, args)
  } catch (err) {
    const detail = err instanceof Error ? (err as Error & { shortMessage?: string }).shortMessage ?? err.message : String(err)
    throw new InterfaceListError(`\`${command} ${args.join(' ')}\` failed: ${detail}`, { cause: err })
  }
  return parseIpAddrJson(text)
}

/** Parses `ip -j addr show` output. Addresses without a `local` field (iproute2 prints `{}` for filtered ones) are dropped. */
export function parseIpAddrJson(text: string): Iface[] {
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (err) {
    throw new InterfaceListError(`\`ip -j addr show\` did not print JSON: ${(err as Error).message}`, { cause: err })
  }
  if (!Array.isArray(data)) throw new InterfaceListError('`ip -j addr show` did not print a JSON array')
  return data.map((link, i) => parseLink(link, `[${i}]`))
}

function parseLink(value: unknown, at: string): Iface {
  const link = asRecord(value, at)
  const name = stringField(link, 'ifname', at)
  const where = `${at} (${name})`
  const addrInfo = link.addr_info === undefined ? [] : link.addr_info
  if (!Array.isArray(addrInfo)) throw new InterfaceListError(`${where}.addr_info: expected an array`)
  const addresses: IfaceAddress[] = []
  addrInfo.forEach((a, j) => {
    const parsed = parseAddress(a, `${where}.addr_info[${j}]`)
    if (parsed) addresses.push(parsed)
  })
  return {
    index: integerField(link, 'ifindex', where),
    name,
    flags: stringArrayField(link, 'flags', where),
    operstate: typeof link.operstate === 'string' ? link.operstate : 'UNKNOWN',
    addresses,
  }
}

function parseAddress(value: unknown, at: string): IfaceAddress | undefined {
  const a = asRecord(value, at)
  if (a.local === undefined) return undefined
  const familyText = stringField(a, 'family', at)
  if (familyText !== 'inet' && familyText !== 'inet6') return undefined
  const flags = Object.entries(a)
    .filter(([, v]) => v === true)
    .map(([k]) => k)
  return {
    family: familyText === 'inet' ? 4 : 6,
    address: stringField(a, 'local', at),
    prefixlen: integerField(a, 'prefixlen', at),
    scope: a.scope === undefined ? 'global' : String(a.scope),
    tentative: a.tentative === true,
    deprecated: a.deprecated === true,
    dadfailed: a.dadfailed === true,
    flags,
  }
}

function asRecord(value: unknown, at: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InterfaceListError(`${at}: expected an object`)
  }
  return value as Record<string, unknown>
}

function stringField(o: Record<string, unknown>, key: string, at: string): string {
  const v = o[key]
  if (typeof v !== 'string' || v === '') throw new InterfaceListError(`${at}.${key}: expected a non-empty string`)
  return v
}

function integerField(o: Record<string, unknown>, key: string, at: string): number {
  const v = o[key]
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
    throw new InterfaceListError(`${at}.${key}: expected a non-negative integer`)
  }
  return v
}

function stringArrayField(o: Record<string, unknown>, key: string, at: string): string[] {
  const v = o[key]
  if (v === undefined) return []
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) {
    throw new InterfaceListError(`${at}.${key}: expected an array of strings`)
  }
  return v as string[]
}
