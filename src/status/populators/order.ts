/** A stable, human order for addresses and prefixes: 10.99.0.2 before 10.99.0.10. */
export function compareAddresses(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true })
}
