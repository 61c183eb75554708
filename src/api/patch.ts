/**
 * The three patch types of `falconer patch` (calicoctl's and kubectl's names), applied to a
 * resource's JSON form. Pure: values in, a new value out; the inputs are never modified.
 *
 * - merge: JSON Merge Patch (RFC 7386). An object merges into the target key by key, null
 *   removes a key, anything else (a list, a scalar) replaces what is there.
 * - strategic: what calicoctl does, a Kubernetes strategic merge patch driven by Calico's
 *   Go types. Those types declare no merge keys on the fields falconer supports, so lists
 *   are replaced whole and the result is RFC 7386's; the directives are honoured too:
 *   `$patch: replace` (this object replaces the target's), `$patch: delete` (remove it),
 *   `$retainKeys: [k…]` (drop the target's other keys first) and
 *   `$deleteFromPrimitiveList/<field>: [v…]` (remove those values from a list of scalars).
 *   Difference: Kubernetes merges metadata.finalizers and ownerReferences element-wise;
 *   here they are replaced like every other list. `$setElementOrder` only orders lists
 *   that are merged by key, so it is refused rather than ignored.
 * - json: JSON Patch (RFC 6902): a list of add / remove / replace / move / copy / test
 *   operations on JSON Pointer (RFC 6901) paths. A failed `test` fails the whole patch.
 */

export type PatchType = 'strategic' | 'merge' | 'json'

export const PATCH_TYPES: readonly PatchType[] = ['strategic', 'merge', 'json']

/** The patch cannot be applied; `where` names the place in the patch. */
export class PatchError extends Error {
  override readonly name = 'PatchError'
  constructor(
    readonly where: string,
    readonly reason: string,
  ) {
    super(where ? `${where}: ${reason}` : reason)
  }
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
type JsonObject = { [key: string]: Json }

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** A deep copy without prototype tricks: `__proto__` stays an ordinary key. */
function clone<T>(v: T): T {
  return structuredClone(v)
}

function setKey(o: JsonObject, key: string, value: Json): void {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true })
}

function describeKind(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'a list'
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`
}

export function applyPatch(type: PatchType, target: unknown, patch: unknown): unknown {
  switch (type) {
    case 'merge':
      if (!isObject(patch)) throw new PatchError('', `a merge patch must be an object, got ${describeKind(patch)}`)
      return mergePatch(clone(target as Json), patch, '', false)
    case 'strategic':
      if (!isObject(patch)) throw new PatchError('', `a strategic merge patch must be an object, got ${describeKind(patch)}`)
      return mergePatch(clone(target as Json), patch, '', true)
    case 'json':
      return jsonPatch(clone(target as Json), patch)
  }
}

const child = (path: string, key: string) => (path === '' ? key : `${path}.${key}`)

/** RFC 7386, plus the strategic directives when `strategic`. `target` is already a copy. */
function mergePatch(target: Json | undefined, patch: Json, path: string, strategic: boolean): Json {
  if (!isObject(patch)) {
    if (strategic && Array.isArray(patch)) checkNoListDirectives(patch, path)
    return clone(patch)
  }
  let out: JsonObject = isObject(target) ? target : {}
  let entries = Object.entries(patch)
  if (strategic) {
    const directive = patch.$patch
    if (directive !== undefined) {
      if (directive === 'replace') {
        out = {}
      } else if (directive !== 'merge') {
        throw new PatchError(child(path, '$patch'), `expected replace or merge here, got ${JSON.stringify(directive)}` + (directive === 'delete' ? ' (delete is given as the whole value of the field)' : ''))
      }
    }
    const retain = patch.$retainKeys
    if (retain !== undefined) {
      if (!Array.isArray(retain) || !retain.every((k) => typeof k === 'string')) {
        throw new PatchError(child(path, '$retainKeys'), 'expected a list of key names')
      }
      for (const key of Object.keys(out)) if (!retain.includes(key)) delete out[key]
    }
    for (const [key, values] of entries) {
      const m = /^\$deleteFromPrimitiveList\/(.+)$/.exec(key)
      if (m === null) continue
      const field = m[1]!
      if (!Array.isArray(values)) throw new PatchError(child(path, key), 'expected a list of values to remove')
      const current = out[field]
      if (current === undefined) continue
      if (!Array.isArray(current)) throw new PatchError(child(path, key), `${child(path, field)} is not a list`)
      setKey(out, field, current.filter((v) => !values.some((x) => JSON.stringify(x) === JSON.stringify(v))))
    }
    entries = entries.filter(([key]) => {
      if (key === '$patch' || key === '$retainKeys' || key.startsWith('$deleteFromPrimitiveList/')) return false
      if (key.startsWith('$')) {
        const why = key.startsWith('$setElementOrder/') ? 'it orders lists merged by key, and no list here is merged by key' : 'unknown directive'
        throw new PatchError(child(path, key), `not supported: ${why}`)
      }
      return true
    })
  }
  for (const [key, value] of entries) {
    if (value === null) {
      delete out[key]
    } else if (strategic && isObject(value) && value.$patch === 'delete') {
      delete out[key]
    } else {
      setKey(out, key, mergePatch(Object.hasOwn(out, key) ? out[key] : undefined, value, child(path, key), strategic))
    }
  }
  return out
}

function checkNoListDirectives(list: Json[], path: string): void {
  list.forEach((item, i) => {
    if (isObject(item) && Object.keys(item).some((k) => k.startsWith('$'))) {
      throw new PatchError(`${path}[${i}]`, 'directives inside lists are not supported: lists are replaced whole')
    }
  })
}

// ---- RFC 6902 ---------------------------------------------------------------

const OPS = ['add', 'remove', 'replace', 'move', 'copy', 'test'] as const
type Op = (typeof OPS)[number]

function jsonPatch(doc: Json, patch: unknown): Json {
  if (!Array.isArray(patch)) throw new PatchError('', `a JSON patch must be a list of operations, got ${describeKind(patch)}`)
  let out = doc
  patch.forEach((raw: unknown, i: number) => {
    const where = `operation ${i + 1}`
    if (!isObject(raw)) throw new PatchError(where, `expected an object with op and path, got ${describeKind(raw)}`)
    const op = raw.op
    if (typeof op !== 'string' || !(OPS as readonly string[]).includes(op)) {
      throw new PatchError(where, `op must be one of ${OPS.join(', ')}, got ${JSON.stringify(op)}`)
    }
    const path = pointer(raw.path, `${where} (${op})`, 'path')
    const at = `${where} (${op} ${String(raw.path)})`
    const need = (name: 'value' | 'from'): Json => {
      if (!Object.hasOwn(raw, name)) throw new PatchError(at, `"${name}" is required`)
      return raw[name] as Json
    }
    switch (op as Op) {
      case 'add':
        out = add(out, path, clone(need('value')), at)
        break
      case 'remove':
        out = remove(out, path, at).doc
        break
      case 'replace':
        get(out, path, at)
        out = add(remove(out, path, at).doc, path, clone(need('value')), at)
        break
      case 'move': {
        const from = pointer(need('from'), at, 'from')
        if (path.length > from.length && from.every((t, k) => t === path[k])) throw new PatchError(at, 'cannot move a value into itself')
        const taken = remove(out, from, at)
        out = add(taken.doc, path, taken.value, at)
        break
      }
      case 'copy':
        out = add(out, path, clone(get(out, pointer(need('from'), at, 'from'), at)), at)
        break
      case 'test': {
        const actual = get(out, path, at)
        if (!jsonEqual(actual, need('value'))) throw new PatchError(at, `test failed: the value is ${JSON.stringify(actual)}`)
        break
      }
    }
  })
  return out
}

/** RFC 6901: "/spec/bgp/asNumber" → ['spec','bgp','asNumber']; "~1" is "/", "~0" is "~". */
function pointer(v: unknown, where: string, field: string): string[] {
  if (typeof v !== 'string') throw new PatchError(where, `"${field}" must be a JSON pointer string`)
  if (v === '') return []
  if (!v.startsWith('/')) throw new PatchError(where, `"${field}" ${JSON.stringify(v)} must start with "/"`)
  return v
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'))
}

function index(list: Json[], token: string, where: string, forAdd: boolean): number {
  if (forAdd && token === '-') return list.length
  if (!/^(0|[1-9]\d*)$/.test(token)) throw new PatchError(where, `"${token}" is not a list index`)
  const i = Number(token)
  if (i > list.length || (!forAdd && i === list.length)) throw new PatchError(where, `index ${i} is out of range (the list has ${list.length})`)
  return i
}

/** The container of the last token, walking from the root. */
function parent(doc: Json, path: readonly string[], where: string): Json {
  let cur: Json = doc
  for (const token of path.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[index(cur, token, where, false)] as Json
    else if (isObject(cur) && Object.hasOwn(cur, token)) cur = cur[token] as Json
    else throw new PatchError(where, `path does not exist (no "${token}")`)
  }
  return cur
}

function get(doc: Json, path: readonly string[], where: string): Json {
  if (path.length === 0) return doc
  const p = parent(doc, path, where)
  const last = path[path.length - 1]!
  if (Array.isArray(p)) return p[index(p, last, where, false)] as Json
  if (isObject(p) && Object.hasOwn(p, last)) return p[last] as Json
  throw new PatchError(where, `path does not exist (no "${last}")`)
}

function add(doc: Json, path: readonly string[], value: Json, where: string): Json {
  if (path.length === 0) return value
  const p = parent(doc, path, where)
  const last = path[path.length - 1]!
  if (Array.isArray(p)) p.splice(index(p, last, where, true), 0, value)
  else if (isObject(p)) setKey(p, last, value)
  else throw new PatchError(where, `cannot add "${last}" to ${describeKind(p)}`)
  return doc
}

function remove(doc: Json, path: readonly string[], where: string): { doc: Json; value: Json } {
  if (path.length === 0) throw new PatchError(where, 'cannot remove the whole resource')
  const p = parent(doc, path, where)
  const last = path[path.length - 1]!
  if (Array.isArray(p)) return { doc, value: p.splice(index(p, last, where, false), 1)[0] as Json }
  if (isObject(p) && Object.hasOwn(p, last)) {
    const value = p[last] as Json
    delete p[last]
    return { doc, value }
  }
  throw new PatchError(where, `path does not exist (no "${last}")`)
}

function jsonEqual(a: Json, b: Json): boolean {
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((v, i) => jsonEqual(v, b[i] as Json))
  if (isObject(a)) {
    if (!isObject(b)) return false
    const ka = Object.keys(a)
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k] as Json, b[k] as Json))
  }
  return a === b
}
