import type { Command } from 'commander'
import { lazy } from './lazy.js'

type WriteAction = 'create' | 'apply' | 'replace'

const applyManifest = lazy(() => import('../apply.js'), 'applyManifest')

const HELP: Record<WriteAction, { description: string; examples: string }> = {
  create: {
    description: `Create resources by filename or stdin. A resource that already exists is an error
(use --skip-exists to treat it as created). The input is YAML or JSON: several YAML documents,
a List (items), and calicoctl v1 manifests (bgpPeer, node) are accepted.`,
    examples: `
Examples:
  # Create a BGP peer using the data in peer.yaml.
  falconer create -f ./peer.yaml

  # Create a BGP peer based on the YAML passed into stdin.
  cat peer.yaml | falconer create -f -
`,
  },
  apply: {
    description: `Apply resources by filename or stdin: create them, or overwrite them when they exist.
The input is YAML or JSON: several YAML documents, a List (items), and calicoctl v1 manifests
(bgpPeer, node) are accepted.`,
    examples: `
Examples:
  # Apply the node configuration in node.yaml.
  falconer apply -f ./node.yaml
`,
  },
  replace: {
    description: `Replace existing resources by filename or stdin. A resource that does not exist is an
error. When the input carries metadata.resourceVersion the replace only succeeds if nobody
changed the resource since.`,
    examples: `
Examples:
  # Replace a BGP peer using the data in peer.yaml.
  falconer replace -f ./peer.yaml
`,
  },
}

export function registerApplyCommands(program: Command): void {
  for (const action of ['create', 'apply', 'replace'] as const) {
    const cmd = program
      .command(action)
      .usage(`--filename=<FILENAME>${action === 'create' ? ' [--skip-exists]' : ''} [options]`)
      .description(HELP[action].description)
      .requiredOption('-f, --filename <FILENAME>', 'Filename to use; "-" reads stdin.')
      .addHelpText('after', HELP[action].examples)
    if (action === 'create') {
      cmd.option('-s, --skip-exists', 'Skip over and treat as successful any attempts to create an entry that already exists.')
    }
    cmd.action((...args: unknown[]) => applyManifest(action, ...args))
  }
}
