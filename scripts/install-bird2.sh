#!/usr/bin/env bash
# Unpacks Debian's bird2 (BIRD 2) into .deps/bird2/ beside the installed `bird` 1.6 and
# prints the path of its `bird` binary. Debian's bird2 package conflicts with bird, and the
# tests need both, so it is never installed: `apt-get download` + `dpkg -x` only. Its one
# library outside libc, libssh-gcrypt-4, must be installed (apt-get install libssh-gcrypt-4).
# Idempotent: does nothing when the unpacked binary already runs.
set -euo pipefail
cd "$(dirname "$0")/.."

dest="$PWD/.deps/bird2"
bin="$dest/usr/sbin/bird"

if [ -x "$bin" ] && "$bin" --version >/dev/null 2>&1; then
  echo "$bin"
  exit 0
fi

# Not `ldconfig -p | grep -q`: grep quits at the first match, ldconfig may then die of
# SIGPIPE, and under pipefail the library looks missing (seen in about 1 call in 12).
if ! grep -q 'libssh-gcrypt\.so\.4' <<<"$(ldconfig -p 2>/dev/null)"; then
  echo "install-bird2: libssh-gcrypt-4 is not installed (apt-get install libssh-gcrypt-4)" >&2
  exit 1
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# As root, apt warns that it downloads "unsandboxed" into a directory _apt cannot write: harmless.
(cd "$tmp" && apt-get download -qq bird2 2>&1 | grep -v 'unsandboxed' >&2 || true)
deb="$(ls "$tmp"/bird2_*.deb)"
rm -rf "$dest.partial"
mkdir -p "$dest.partial"
dpkg -x "$deb" "$dest.partial"
rm -rf "$dest"
mv "$dest.partial" "$dest"

if ! "$bin" --version >/dev/null 2>&1; then
  echo "install-bird2: $bin does not run:" >&2
  "$bin" --version >&2 || true
  exit 1
fi
echo "$bin"
