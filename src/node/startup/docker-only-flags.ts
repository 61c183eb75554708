// A file of its own so the CLI's command definitions (which hide these flags) can name
// them without loading the validators that run-config.ts needs.

/** Flags falconer will never support, with the reason printed for each. */
export const DOCKER_ONLY_FLAGS: readonly string[] = [
  '--node-image',
  '--libnetwork',
  '--libnetwork-image',
  '--no-pull',
  '--disable-docker-networking',
  '--docker-networking-ifprefix',
  '--use-docker-networking-container-labels',
]
