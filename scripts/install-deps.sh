#!/usr/bin/env bash
# Installs what falconer's demo and tests need on a fresh Debian machine, then builds.
# Idempotent: packages already present are not reinstalled; `npm ci` runs only when
# node_modules does not match package-lock.json.
set -euo pipefail
cd "$(dirname "$0")/.."

need_pkgs=()
have() { command -v "$1" >/dev/null 2>&1; }
have bird || need_pkgs+=(bird)            # bird + bird6 + birdc (1.6.8)
have etcd || need_pkgs+=(etcd-server)
have etcdctl || need_pkgs+=(etcd-client)
have gobgpd || need_pkgs+=(gobgpd)
have ip || need_pkgs+=(iproute2)
have openssl || need_pkgs+=(openssl)
have systemd-analyze || need_pkgs+=(systemd)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing ${need_pkgs[*]}; run as root (apt-get install needs it)" >&2
    exit 1
  fi
  echo "install-deps: installing ${need_pkgs[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # policy-rc.d keeps Debian's postinst scripts from starting bird/etcd on the host:
  # falconer runs BIRD only inside namespaces it made.
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
  rm -f /usr/sbin/policy-rc.d
fi

./scripts/install-bird2.sh >/dev/null # BIRD 2 unpacked into .deps/bird2 (conflicts with bird 1.6 as a package)

# BIRD 2 beside BIRD 1.6 (Debian's bird2 conflicts with bird): unpacked into .deps/bird2
# for the BIRD 2 tests and `npm run demo -- --bird2`. Its one extra library first.
if ! ldconfig -p 2>/dev/null | grep -q 'libssh-gcrypt\.so\.4'; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing libssh-gcrypt-4 (for BIRD 2); run as root" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq --no-install-recommends libssh-gcrypt-4 >/dev/null
fi
./scripts/install-bird2.sh >/dev/null

stamp=node_modules/.falconer-lock
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json "$stamp"
fi
npm run -s build
