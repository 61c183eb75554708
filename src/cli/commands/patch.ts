import type { Command } from 'commander'
import { lazy } from './lazy.js'

const DESCRIPTION = `Patch an existing resource in place. The patch is JSON or YAML. The patched resource is
validated as apply validates it; an invalid result is refused, naming the field, and nothing
is written. The write is a compare-and-swap: a change made by someone else meanwhile is
kept and the patch is applied on top of it.

Types:
  strategic  calicoctl's strategic merge patch (default): objects merge key by key, null
             removes a key, lists are replaced; $patch: replace|delete, $retainKeys and
             $deleteFromPrimitiveList/<field> are honoured.
  merge      JSON Merge Patch, RFC 7386.
  json       JSON Patch, RFC 6902: a list of {op, path, value|from} operations.`

const EXAMPLES = `
Examples:
  # Partially update a node using a strategic merge patch.
  falconer patch node node-0 --patch '{"spec":{"bgp": {"routeReflectorClusterID": "224.0.0.1"}}}'

  # Remove a field with a JSON merge patch.
  falconer patch node node-0 --patch '{"spec":{"bgp": {"routeReflectorClusterID": null}}}' --type merge

  # Change a peer's AS number with a JSON patch.
  falconer patch bgppeer peer1 -p '[{"op": "replace", "path": "/spec/asNumber", "value": 65001}]' --type json
`

/** `falconer patch` (implementation in ../patch.ts). */
export function registerPatchCommand(program: Command): Command {
  return program
    .command('patch')
    .usage('<KIND> <NAME> --patch=<PATCH> [--type=<TYPE>] [options]')
    .description(DESCRIPTION)
    .argument('<KIND>')
    .argument('<NAME>')
    .requiredOption('-p, --patch <PATCH>', 'The patch, JSON or YAML.')
    .option('-t, --type <TYPE>', 'strategic, merge or json.', 'strategic')
    .addHelpText('after', EXAMPLES)
    .action(lazy(() => import('../patch.js'), 'patchResource'))
}
