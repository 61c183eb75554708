#!/usr/bin/env bash
# Re-records the status captures of test/fixtures/gobgp-3.10.0/ (the `status-*` files): the
# JSON gobgp 3.10.0 prints (`gobgp -j …`) for the queries falconer's status readers make,
# from a two-namespace lab (see README-status.md there for the topology). Run as root:
#
#   ./scripts/record-gobgp-status-fixtures.sh          # writes into test/fixtures/gobgp-3.10.0/
#   ./scripts/record-gobgp-status-fixtures.sh OUTDIR   # writes elsewhere (to compare)
#
# gobgpd runs in fgsrec-a, BIRD 1.6 (bird + bird6) in fgsrec-b, on 10.99.64-65.x and
# fd99:64::x. gobgpd's API is a unix socket in a temporary directory (never TCP), pprof off.
# Every daemon and both namespaces are removed on exit, also on failure. Times, timers and
# counters differ from run to run; the parser tests pin the recorded values, so a
# re-recording means updating the expected values too.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"

out="${1:-$repo/test/fixtures/gobgp-3.10.0}"
mkdir -p "$out"
version="$(gobgpd --version 2>&1)"
case "$version" in *"3.10.0"*) ;; *) echo "record-gobgp-status-fixtures: want gobgpd 3.10.0, got: $version" >&2; exit 1 ;; esac

NS_A=fgsrec-a
NS_B=fgsrec-b
work="$(mktemp -d /tmp/fgsrec.XXXXXX)"
pids=()

cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  ip netns del "$NS_A" 2>/dev/null || true
  ip netns del "$NS_B" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

ip netns del "$NS_A" 2>/dev/null || true
ip netns del "$NS_B" 2>/dev/null || true

# ─── topology ────────────────────────────────────────────────────────────────
# Link 0 (10.99.64.0/24, fd99:64::/64): the per-family iBGP mesh sessions; link 1
# (10.99.65.0/24): an eBGP session to B speaking as AS 64513.
ip netns add "$NS_A"
ip netns add "$NS_B"
inA() { ip netns exec "$NS_A" "$@"; }
inB() { ip netns exec "$NS_B" "$@"; }
ip link add fgsa0 netns "$NS_A" type veth peer name fgsb0 netns "$NS_B"
ip link add fgsa1 netns "$NS_A" type veth peer name fgsb1 netns "$NS_B"
for ns in "$NS_A" "$NS_B"; do
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
  ip netns exec "$ns" ip link set lo up
done
inA ip addr add 10.99.64.1/24 dev fgsa0
inA ip addr add fd99:64::1/64 dev fgsa0 nodad
inA ip addr add 10.99.65.1/24 dev fgsa1
inB ip addr add 10.99.64.2/24 dev fgsb0
inB ip addr add 10.99.64.4/24 dev fgsb0
inB ip addr add fd99:64::2/64 dev fgsb0 nodad
inB ip addr add 10.99.65.2/24 dev fgsb1
for l in fgsa0 fgsa1; do inA ip link set "$l" up; done
for l in fgsb0 fgsb1; do inB ip link set "$l" up; done

# ─── gobgpd on A: neighbors named as falconer names them (description) ───────
cat >"$work/a.toml" <<'EOF'
[global.config]
  as = 64512
  router-id = "10.99.64.1"

# iBGP mesh to B's bird, graceful restart on both sides: Established.
[[neighbors]]
  [neighbors.config]
    neighbor-address = "10.99.64.2"
    peer-as = 64512
    description = "Mesh_10_99_64_2"
  [neighbors.timers.config]
    connect-retry = 2
  [neighbors.graceful-restart.config]
    enabled = true
    restart-time = 120
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
    [neighbors.afi-safis.mp-graceful-restart.config]
      enabled = true

# The same over IPv6 to B's bird6: Established.
[[neighbors]]
  [neighbors.config]
    neighbor-address = "fd99:64::2"
    peer-as = 64512
    description = "Mesh_fd99_64__2"
  [neighbors.timers.config]
    connect-retry = 2
  [neighbors.graceful-restart.config]
    enabled = true
    restart-time = 120
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv6-unicast"
    [neighbors.afi-safis.mp-graceful-restart.config]
      enabled = true

# eBGP to B (AS 64513), whose export adds communities, MED and a prepend: Established.
[[neighbors]]
  [neighbors.config]
    neighbor-address = "10.99.65.2"
    peer-as = 64513
    description = "Node_10_99_65_2"
  [neighbors.timers.config]
    connect-retry = 2
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"

# Nobody at .9: Active / Connect.
[[neighbors]]
  [neighbors.config]
    neighbor-address = "10.99.64.9"
    peer-as = 64599
    description = "Global_10_99_64_9"
  [neighbors.timers.config]
    connect-retry = 2
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"

[[neighbors]]
  [neighbors.config]
    neighbor-address = "fd99:64::9"
    peer-as = 64599
    description = "Global_fd99_64__9"
  [neighbors.timers.config]
    connect-retry = 2
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv6-unicast"

# B listens on 179 only: refused. (gobgpd keys neighbors by address alone, so this one
# cannot share B's first address with the mesh session: B has a second one.)
[[neighbors]]
  [neighbors.config]
    neighbor-address = "10.99.64.4"
    peer-as = 64512
    description = "Global_10_99_64_4_port_1790"
  [neighbors.transport.config]
    remote-port = 1790
  [neighbors.timers.config]
    connect-retry = 2
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"

# Administratively down: Idle.
[[neighbors]]
  [neighbors.config]
    neighbor-address = "10.99.64.7"
    peer-as = 64512
    description = "Node_10_99_64_7"
    admin-down = true
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"

# Passive (the mesh's other side dials), and nobody does.
[[neighbors]]
  [neighbors.config]
    neighbor-address = "10.99.64.3"
    peer-as = 64512
    description = "Mesh_10_99_64_3"
  [neighbors.transport.config]
    passive-mode = true
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
EOF
gobgpd -d -f "$work/a.toml" -t toml >/dev/null

# ─── BIRD 1.6 on B ───────────────────────────────────────────────────────────
cat >"$work/b.conf" <<'EOF'
router id 10.99.64.2;
timeformat protocol iso long;
protocol device { scan time 10; }
protocol static blocks {
  route 192.168.64.0/26 blackhole;
  route 192.168.64.64/26 blackhole;
  route 192.168.65.0/26 blackhole;
}
filter to_mesh { if source = RTS_STATIC then accept; reject; }
filter tagged {
  if source != RTS_STATIC then reject;
  bgp_community.add((64513,100));
  bgp_large_community.add((64513,1,2));
  bgp_ext_community.add((rt,64513,100));
  bgp_med = 50;
  bgp_path.prepend(64513);
  accept;
}
protocol bgp Mesh_10_99_64_1 {
  local 10.99.64.2 as 64512; neighbor 10.99.64.1 as 64512;
  graceful restart on; connect retry time 2;
  import all; export filter to_mesh;
}
protocol bgp Node_10_99_65_1 {
  local 10.99.65.2 as 64513; neighbor 10.99.65.1 as 64512;
  connect retry time 2;
  import all; export filter tagged;
}
EOF
cat >"$work/b6.conf" <<'EOF'
router id 10.99.64.2;
timeformat protocol iso long;
protocol device { scan time 10; }
protocol static blocks {
  route fd99:64:b::/122 blackhole;
  route fd99:64:b::40/122 blackhole;
}
filter to_mesh { if source = RTS_STATIC then accept; reject; }
protocol bgp Mesh_fd99_64__1 {
  local fd99:64::2 as 64512; neighbor fd99:64::1 as 64512;
  graceful restart on; connect retry time 2;
  import all; export filter to_mesh;
}
EOF
bird -p -c "$work/b.conf"
bird6 -p -c "$work/b6.conf"

# ─── daemons ────────────────────────────────────────────────────────────────
sock="$work/gobgp.sock"
# `ip netns exec` itself, not the inA/inB functions: a function put in the background is a
# subshell, and its PID is not the daemon's.
ip netns exec "$NS_A" gobgpd -f "$work/a.toml" -t toml --api-hosts "unix://$sock" --pprof-disable -p >"$work/gobgpd.log" 2>&1 &
pids+=($!)
ip netns exec "$NS_B" bird -f -c "$work/b.conf" -s "$work/bird.ctl" -P "$work/bird.pid" 2>"$work/bird.log" &
pids+=($!)
ip netns exec "$NS_B" bird6 -f -c "$work/b6.conf" -s "$work/bird6.ctl" -P "$work/bird6.pid" 2>"$work/bird6.log" &
pids+=($!)

g() { gobgp --target "unix://$sock" "$@"; }
for _ in $(seq 100); do g global >/dev/null 2>&1 && break; sleep 0.1; done

# This node's own blocks, as the backend originates them.
g global rib add -a ipv4 192.168.80.0/26
g global rib add -a ipv4 192.168.80.64/26
g global rib add -a ipv6 fd99:80::/122

# session_state 6 is ESTABLISHED in gobgp's API.
established() { grep -q '"session_state":6' <<<"$(g -j neighbor "$1" 2>/dev/null)"; }
deadline=$((SECONDS + 120))
until established 10.99.64.2 && established fd99:64::2 && established 10.99.65.2; do
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo "record-gobgp-status-fixtures: sessions did not come up" >&2
    g neighbor >&2 || true
    cat "$work/gobgpd.log" "$work/bird.log" >&2
    exit 1
  fi
  sleep 0.5
done
# Let the unanswered sessions go round their retries, and the routes settle.
sleep 8

save() { # file args...
  local file="$1"
  shift
  g -j "$@" >"$out/$file"
  # One line of JSON as gobgp prints it; a trailing newline for the editor's sake.
  [ -n "$(tail -c1 "$out/$file")" ] && echo >>"$out/$file"
  return 0
}
save status-global.json global
save status-neighbors.json neighbor
save status-neighbor-10.99.64.2.json neighbor 10.99.64.2
save status-neighbor-10.99.64.7.json neighbor 10.99.64.7
save status-global-rib-ipv4.json global rib -a ipv4
save status-global-rib-ipv6.json global rib -a ipv6
save status-global-rib-summary-ipv4.json global rib summary -a ipv4

# The text forms, for a reader of the README comparing with what an operator sees.
g neighbor >"$out/status-neighbors.txt"
g global >"$out/status-global.txt"

# B's bird stops: the Established sessions drop (gobgp's "since" moves to the downtime).
kill "${pids[1]}" "${pids[2]}"
deadline=$((SECONDS + 60))
while established 10.99.64.2 || established fd99:64::2; do
  [ "$SECONDS" -lt "$deadline" ] || { echo "record-gobgp-status-fixtures: the sessions stayed up after bird stopped" >&2; exit 1; }
  sleep 0.2
done
sleep 3
save status-neighbors-peer-down.json neighbor

# gobgpd gone: what the client prints (for the unavailable error).
kill "${pids[0]}"
for _ in $(seq 100); do g global >/dev/null 2>&1 || break; sleep 0.1; done
{ g -j global 2>&1 || echo "exit $?"; } >"$out/status-unavailable.txt"
sed -i "s#$work/#/tmp/fgsrec/#g" "$out/status-unavailable.txt"

cp "$work/a.toml" "$out/status-lab-a.toml"
cp "$work/b.conf" "$out/status-lab-b.conf"
cp "$work/b6.conf" "$out/status-lab-b6.conf"
echo "recorded $(ls "$out" | grep -c '^status-') status captures into $out" >&2
