/** Splits a rendered config into its `protocol bgp NAME … { … }` blocks, by name. */
export function bgpProtocolBlocks(text: string): Map<string, string> {
  const out = new Map<string, string>()
  for (const m of text.matchAll(/^protocol bgp (\S+) [^\n]*\{\n[\s\S]*?\n\}$/gm)) out.set(m[1]!, m[0])
  return out
}

/** The `template bgp … { … }` block every protocol inherits from. */
export function bgpTemplateBlock(text: string): string | undefined {
  return /^template bgp [^\n]*\{\n[\s\S]*?\n\}$/m.exec(text)?.[0]
}
