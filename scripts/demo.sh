#!/usr/bin/env bash
# The README's first command (`npm run demo`): a 3-node falconer lab on this machine,
# inside network namespaces only — etcd, a gobgpd top-of-rack router, and per node a
# falconer agent started with `falconer node run --init-system` that runs its own BIRD.
# It waits until every BGP session is Established, shows `falconer node status` of each
# node, `falconer node show`, the top-of-rack router's routes and a node's kernel routes,
# then tears everything down (also on failure and on Ctrl-C).
#
#   ./scripts/demo.sh            run the demo and clean up
#   ./scripts/demo.sh --keep     leave the lab running and print how to explore it
#   ./scripts/demo.sh --bird2    the same lab with every node on BIRD 2 (one daemon, both families)
#   ./scripts/demo.sh --down     remove a lab left running with --keep
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=as-root.sh
. scripts/as-root.sh
as_root demo "$@"

runner=dist/lab/scripts/lab/main.js
if [ "${1:-}" = "--down" ] && [ -f "$runner" ]; then
  exec node "$runner" --down
fi

# bird, etcd, gobgpd, iproute2 via apt when missing; npm ci when needed; npm run build.
./scripts/install-deps.sh
# The lab runner itself (scripts/lab/*.ts), built apart from the product.
node_modules/.bin/tsc -p scripts/tsconfig.json

# exec: Ctrl-C reaches the runner directly, which tears the lab down in order.
exec node "$runner" "$@"
