# Sourced by the scripts behind `npm run demo` and `npm test`: they create network
# namespaces, which needs root. As root this does nothing; for a user with sudo it re-runs
# the calling script through sudo (keeping PATH, so the same `node` and `npm` are used);
# without sudo it says what to do instead of failing on the first `ip netns`.
#   usage: . scripts/as-root.sh; as_root NAME "$@"
as_root() {
  local name=$1
  shift
  [ "$(id -u)" -eq 0 ] && return 0
  if command -v sudo >/dev/null 2>&1; then
    echo "$name: needs root (network namespaces); re-running through sudo" >&2
    # The callers cd to the repository root first, so the script is found from there.
    exec sudo -- env "PATH=$PATH" "$PWD/scripts/$(basename "$0")" "$@"
  fi
  echo "$name: needs root (it creates network namespaces) and sudo is not installed;" \
    "run it as root, e.g. su -c 'npm run ${name}' root" >&2
  exit 1
}
