#!/usr/bin/env bash
# The README's test command: installs what is missing, builds, type-checks, runs every
# test (unit + integration against real etcd and real BIRD in network namespaces), and
# ends with "N passed, N failed" alone on a line. Exit status = the tests' verdict.
set -uo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=as-root.sh
. scripts/as-root.sh
as_root test "$@"
./scripts/install-deps.sh || { echo "0 passed, 1 failed"; exit 1; }

failed_pre=0
npm run -s typecheck || failed_pre=1

out=$(mktemp)
trap 'rm -f "$out"' EXIT
# The TAP stream is printed as it comes and kept to count results.
npx tap --reporter=tap "$@" 2>&1 | tee "$out"
tap_status=${PIPESTATUS[0]}

node scripts/count-tap.js "$out" "$failed_pre" "$tap_status"
