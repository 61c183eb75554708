import { readFile } from 'node:fs/promises'
import { ValidationError } from '../api/errors.js'
import { convertLegacy, isLegacyDocument } from '../api/legacy.js'
import type { AnyResource } from '../api/types.js'
import { resolveKind, validateResource } from '../api/validate/index.js'
import { CliError } from './errors.js'
import { ManifestError, parseManifest, type ManifestDocument } from './manifest.js'

/**
 * One resource of a `-f` input after validation: either a resource that may be written, or
 * the reason it may not (named per resource, so the others can still be processed).
 */
export type InputItem =
  | { readonly ok: true; readonly line: number; readonly resource: AnyResource; readonly legacy: boolean }
  | { readonly ok: false; readonly line: number; readonly kind: string; readonly reason: string }

/** Pure: manifest documents → validated resources (v1 manifests converted first). */
export function resourcesFromDocuments(docs: readonly ManifestDocument[]): InputItem[] {
  return docs.map((doc) => {
    const legacy = isLegacyDocument(doc.value)
    const kind = doc.value.kind
    if (!legacy && typeof kind === 'string' && resolveKind(kind) === undefined) {
      return { ok: false, line: doc.line, kind, reason: `resource type '${kind}' is not supported` }
    }
    try {
      // Converted v1 documents go through the same validation as v3 ones (invariant 5 in docs/design.md).
      const raw = legacy ? convertLegacy(doc.value) : doc.value
      return { ok: true, line: doc.line, resource: validateResource(raw), legacy }
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err
      return { ok: false, line: doc.line, kind: kindLabel(doc.value.kind), reason: err.message }
    }
  })
}

/** `bgpPeer` (v1) and `BGPPeer` both read as 'BGPPeer' in messages. */
function kindLabel(kind: unknown): string {
  if (typeof kind !== 'string' || kind === '') return 'unknown'
  return resolveKind(kind) ?? kind
}

/** Reads `-f FILE` (`-` = stdin) and parses it; a file-level problem is one CliError line. */
export async function readManifestFile(file: string): Promise<ManifestDocument[]> {
  let text: string
  try {
    text = file === '-' ? await readStdin() : await readFile(file, 'utf8')
  } catch (err) {
    const e = err as NodeJS.ErrnoException
    const why = e.code === 'ENOENT' ? 'no such file or directory' : e.code === 'EISDIR' ? 'is a directory' : e.message
    throw new CliError(`could not read ${file === '-' ? 'stdin' : `'${file}'`}: ${why}`)
  }
  try {
    return parseManifest(text)
  } catch (err) {
    if (err instanceof ManifestError) throw new CliError(`error processing input file: ${err.message}`)
    throw err
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)
  return Buffer.concat(chunks).toString('utf8')
}
