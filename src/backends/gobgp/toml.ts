/**
 * The little TOML gobgpd's config needs: tables, arrays of tables, strings, integers,
 * booleans and string arrays. Written by hand (no dependency) so the output is exactly
 * the text we mean: fixed key order, fixed indentation, no timestamps.
 */
export type TomlValue = string | number | boolean | readonly string[]

/** A TOML basic string. JSON's escapes (\" \\ \n \uXXXX …) are all valid TOML escapes. */
export function tomlString(s: string): string {
  // U+007F is a control character TOML refuses raw; JSON leaves it as is.
  return JSON.stringify(s).replace(/\u007f/g, '\\u007f')
}

function value(v: TomlValue): string {
  if (typeof v === 'string') return tomlString(v)
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) throw new RangeError(`TOML: ${v} is not an integer`)
    return String(v)
  }
  if (typeof v === 'boolean') return v ? 'true' : 'false'
  return `[${v.map(tomlString).join(', ')}]`
}

/** Key/value lines under a header; entries whose value is undefined are left out. */
export function tomlTable(header: string, entries: readonly (readonly [string, TomlValue | undefined])[], indent = ''): string[] {
  const lines = [`${indent}${header}`]
  for (const [k, v] of entries) if (v !== undefined) lines.push(`${indent}  ${k} = ${value(v)}`)
  return lines
}
