import { LineCounter, parseAllDocuments } from 'yaml'

/**
 * Reading `-f FILE` input the way calicoctl does: YAML or JSON, several YAML documents
 * separated by `---`, a top-level sequence of resources, and list resources
 * (`kind: List`, `kind: BGPPeerList`, v1 `kind: bgpPeerList`) whose `items` are the
 * resources. Pure: text in, plain objects out; what they mean is decided elsewhere.
 */

export interface ManifestDocument {
  /** 1-based line where the document (or list item) starts, for messages. */
  readonly line: number
  readonly value: Record<string, unknown>
}

/** The input as a whole is unusable; nothing in it is applied. */
export class ManifestError extends Error {
  override readonly name = 'ManifestError'
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(message)
  }
}

export function parseManifest(text: string): ManifestDocument[] {
  const lineCounter = new LineCounter()
  const docs = parseAllDocuments(text, { lineCounter, uniqueKeys: true })
  // An input with nothing but comments is an empty stream, not an error.
  if (!Array.isArray(docs)) return []
  for (const doc of docs) {
    const first = doc.errors[0]
    if (first) {
      const line = first.linePos?.[0]?.line
      throw new ManifestError(`yaml: ${line !== undefined ? `line ${line}: ` : ''}${yamlReason(first.message)}`, line)
    }
  }
  const out: ManifestDocument[] = []
  for (const doc of docs) {
    if (doc.contents === null) continue
    const line = lineCounter.linePos(doc.contents.range[0]).line
    const value: unknown = doc.toJS({ maxAliasCount: 100 })
    if (value === null || value === undefined) continue
    if (Array.isArray(value)) {
      const seq = doc.contents as { items?: { range?: [number, number, number] }[] }
      value.forEach((item, i) => {
        const start = seq.items?.[i]?.range?.[0]
        out.push(...flatten(item, start === undefined ? line : lineCounter.linePos(start).line))
      })
    } else {
      out.push(...flatten(value, line))
    }
  }
  return out
}

/** yaml's messages end in " at line L, column C:" and a source excerpt; we give the line ourselves. */
function yamlReason(message: string): string {
  const firstLine = message.split('\n')[0] ?? message
  return firstLine.replace(/ at line \d+, column \d+:?$/, '')
}

function flatten(value: unknown, line: number): ManifestDocument[] {
  if (!isMapping(value)) {
    throw new ManifestError(`line ${line}: expected a resource (a mapping with apiVersion, kind, metadata, spec), found ${describe(value)}`, line)
  }
  if (!isListKind(value.kind)) return [{ line, value }]
  const items = value.items ?? []
  if (!Array.isArray(items)) {
    throw new ManifestError(`line ${line}: ${String(value.kind)}.items must be a sequence of resources`, line)
  }
  const itemKind = listItemKind(String(value.kind))
  return items.map((item: unknown) => {
    if (!isMapping(item)) {
      throw new ManifestError(`line ${line}: ${String(value.kind)}.items holds ${describe(item)}, expected resources`, line)
    }
    // Items of a typed list (BGPPeerList) may leave out their own apiVersion and kind.
    const inherited: Record<string, unknown> = {}
    if (item.apiVersion === undefined && value.apiVersion !== undefined) inherited.apiVersion = value.apiVersion
    if (item.kind === undefined && itemKind !== undefined) inherited.kind = itemKind
    return { line, value: { ...inherited, ...item } }
  })
}

function isListKind(kind: unknown): boolean {
  return typeof kind === 'string' && /List$/.test(kind) && kind.length >= 4
}

/** `BGPPeerList` → `BGPPeer`, `bgpPeerList` → `bgpPeer`; a generic `List` names no kind. */
function listItemKind(listKind: string): string | undefined {
  const base = listKind.slice(0, -'List'.length)
  return base === '' ? undefined : base
}

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function describe(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'a sequence'
  return `a ${typeof v} (${JSON.stringify(v)})`
}
