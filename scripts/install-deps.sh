#!/usr/bin/env bash
# Installs what falconer's demo and tests need on a fresh Debian machine, then builds.
# Idempotent: packages already present are not reinstalled; `npm ci` runs only when
# node_modules does not match package-lock.json.
set -euo pipefail
cd "$(dirname "$0")/.."

# Node.js >= 20.19 (package.json "engines"): the code uses APIs and dependencies that older
# releases lack, and Debian 12's own `nodejs` is 18. Checked first, with a way out.
node_min=20.19
if ! command -v node >/dev/null 2>&1; then
  echo "install-deps: Node.js >= $node_min is required and \`node\` is not on PATH" \
    "(install it from https://nodejs.org or NodeSource's Debian packages)" >&2
  exit 1
fi
if ! node -e '
  const [maj, min] = process.versions.node.split(".").map(Number)
  const [wmaj, wmin] = process.argv[1].split(".").map(Number)
  process.exit(maj > wmaj || (maj === wmaj && min >= wmin) ? 0 : 1)' "$node_min"; then
  echo "install-deps: Node.js >= $node_min is required, found $(node --version) at $(command -v node)" \
    "(Debian 12's nodejs package is 18: install a newer one from https://nodejs.org or NodeSource)" >&2
  exit 1
fi

need_pkgs=()
have() { command -v "$1" >/dev/null 2>&1; }
have bird || need_pkgs+=(bird)            # bird + bird6 + birdc (1.6.8)
have etcd || need_pkgs+=(etcd-server)
have etcdctl || need_pkgs+=(etcd-client)
have gobgpd || need_pkgs+=(gobgpd)
have ip || need_pkgs+=(iproute2)
have openssl || need_pkgs+=(openssl)
have systemd-analyze || need_pkgs+=(systemd)
have prometheus || need_pkgs+=(prometheus)  # prometheus + promtool: rules tests, lab scrape
have lintian || need_pkgs+=(lintian)        # the Debian package test
have python3 || need_pkgs+=(python3)        # the sd_notify test's datagram listener
# BIRD 2 is unpacked beside BIRD 1.6 (Debian's bird2 conflicts with bird); it needs this library
# (read whole, not piped into grep -q: see install-bird2.sh)
grep -q 'libssh-gcrypt\.so\.4' <<<"$(ldconfig -p 2>/dev/null)" || need_pkgs+=(libssh-gcrypt-4)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing ${need_pkgs[*]}; run as root (apt-get install needs it)" >&2
    exit 1
  fi
  echo "install-deps: installing ${need_pkgs[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # policy-rc.d keeps Debian's postinst scripts from starting bird/etcd on the host:
  # falconer runs BIRD only inside namespaces it made. A host's own policy-rc.d (common in
  # container images) is left as it is; only one this script created is removed again.
  own_policy=
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
    own_policy=1
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
  if [ -n "$own_policy" ]; then
    rm -f /usr/sbin/policy-rc.d
    trap - EXIT
  fi
fi

# BIRD 2 beside BIRD 1.6: unpacked into .deps/bird2 for the BIRD 2 tests and `npm run demo -- --bird2`.
./scripts/install-bird2.sh >/dev/null

# Debian's bird package enables its own bird.service / bird6.service on the host. falconer
# runs its own BIRD; the packaged one would hold the default sockets (a plain `birdc` then
# talks to that idle daemon) and, once configured, program the host's routes.
if command -v systemctl >/dev/null 2>&1; then
  for unit in bird.service bird6.service; do
    if [ "$(systemctl is-enabled "$unit" 2>/dev/null)" = enabled ]; then
      echo "install-deps: warning: Debian's $unit is enabled on this host; falconer runs its own" \
        "BIRD. Disable it: systemctl disable --now $unit" >&2
    fi
  done
fi

stamp=node_modules/.falconer-lock
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json "$stamp"
fi
npm run -s build
