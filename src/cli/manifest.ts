import { LineCounter, parseAllDocuments, type ScalarTag, type Tags } from 'yaml'
import { ManifestValueError, resourceShape, toCalicoJson, type YamlValue } from '../api/manifest-shapes.js'
import { NON_STRING_START, resolvePlainScalar } from '../api/yaml11.js'

/**
 * Reading `-f FILE` input the way calicoctl does: YAML or JSON, several YAML documents
 * separated by `---`, a top-level sequence of resources, and list resources
 * (`kind: List`, `kind: BGPPeerList`, v1 `kind: bgpPeerList`) whose `items` are the
 * resources. Scalars are read as calicoctl's YAML 1.1 reader reads them and stored as its
 * YAML-to-JSON step stores them (see ../api/manifest-shapes.ts): a label written `yes` is
 * the string "true". Pure: text in, plain objects out; what they mean is decided elsewhere.
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

/**
 * Plain scalars that are not strings, as go-yaml v2 resolves them. One tag sees every plain
 * scalar that could be one and returns what Go would (possibly the text itself).
 */
const goScalar: ScalarTag = {
  tag: 'tag:yaml.org,2002:int',
  default: true,
  test: NON_STRING_START,
  resolve: (text: string) => resolvePlainScalar(text),
}

const KEPT_TAGS = ['tag:yaml.org,2002:map', 'tag:yaml.org,2002:seq', 'tag:yaml.org,2002:str', 'tag:yaml.org,2002:merge']

/** YAML 1.1 collections, strings and merge keys from the library; scalars resolved like Go. */
const goTags = (tags: Tags): Tags => [
  ...tags.filter((t) => typeof t === 'object' && KEPT_TAGS.includes(t.tag)),
  goScalar,
]

export function parseManifest(text: string): ManifestDocument[] {
  const lineCounter = new LineCounter()
  const docs = parseAllDocuments(text, { lineCounter, uniqueKeys: true, version: '1.1', customTags: goTags, merge: true })
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
    const value = doc.toJS({ maxAliasCount: 100, mapAsMap: true }) as YamlValue
    if (value === null || value === undefined) continue
    try {
      if (Array.isArray(value)) {
        const seq = doc.contents as { items?: { range?: [number, number, number] }[] }
        value.forEach((item: YamlValue, i: number) => {
          const start = seq.items?.[i]?.range?.[0]
          out.push(...flatten(item, start === undefined ? line : lineCounter.linePos(start).line))
        })
      } else {
        out.push(...flatten(value, line))
      }
    } catch (err) {
      if (err instanceof ManifestValueError) throw new ManifestError(`line ${line}: ${err.message}`, line)
      throw err
    }
  }
  return out
}

/**
 * One YAML or JSON value read with the same scalar rules as a manifest (YAML 1.1, Go's
 * resolution), for inputs that are not resources: a `patch -p` document.
 */
export function parseYamlValue(text: string): YamlValue {
  const lineCounter = new LineCounter()
  const docs = parseAllDocuments(text, { lineCounter, uniqueKeys: true, version: '1.1', customTags: goTags, merge: true })
  if (!Array.isArray(docs) || docs.length === 0) throw new ManifestError('empty input')
  if (docs.length > 1) throw new ManifestError('expected one document, found several')
  const doc = docs[0]!
  const first = doc.errors[0]
  if (first) {
    const line = first.linePos?.[0]?.line
    throw new ManifestError(`yaml: ${line !== undefined ? `line ${line}: ` : ''}${yamlReason(first.message)}`, line)
  }
  return doc.toJS({ maxAliasCount: 100, mapAsMap: true }) as YamlValue
}

/** yaml's messages end in " at line L, column C:" and a source excerpt; we give the line ourselves. */
function yamlReason(message: string): string {
  const firstLine = message.split('\n')[0] ?? message
  return firstLine.replace(/ at line \d+, column \d+:?$/, '')
}

function flatten(raw: YamlValue, line: number): ManifestDocument[] {
  if (!(raw instanceof Map)) {
    throw new ManifestError(`line ${line}: expected a resource (a mapping with apiVersion, kind, metadata, spec), found ${describe(toCalicoJson(raw, 'any'))}`, line)
  }
  const kind = raw.get('kind')
  if (!isListKind(kind)) return [{ line, value: toCalicoJson(raw, resourceShape(kind)) as Record<string, unknown> }]
  const itemKind = listItemKind(String(kind))
  const rawItems = raw.get('items') ?? []
  if (!Array.isArray(rawItems)) {
    throw new ManifestError(`line ${line}: ${String(kind)}.items must be a sequence of resources`, line)
  }
  const apiVersion = toCalicoJson(raw.get('apiVersion') ?? null, 'string')
  return (rawItems as YamlValue[]).map((entry) => {
    if (!(entry instanceof Map)) {
      throw new ManifestError(`line ${line}: ${String(kind)}.items holds ${describe(toCalicoJson(entry, 'any'))}, expected resources`, line)
    }
    const item = toCalicoJson(entry, resourceShape(entry.get('kind') ?? itemKind)) as Record<string, unknown>
    // Items of a typed list (BGPPeerList) may leave out their own apiVersion and kind.
    const inherited: Record<string, unknown> = {}
    if (item.apiVersion === undefined && apiVersion !== null) inherited.apiVersion = apiVersion
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

function describe(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'a sequence'
  return `a ${typeof v} (${JSON.stringify(v)})`
}
