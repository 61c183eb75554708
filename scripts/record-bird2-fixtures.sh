#!/usr/bin/env bash
# Re-records test/fixtures/bird-2.0.12/: the raw control-socket bytes of BIRD 2.0.12 replies
# from a two-node namespace lab (see that directory's README for the topology). Run as root:
#
#   ./scripts/record-bird2-fixtures.sh            # writes into test/fixtures/bird-2.0.12/
#   ./scripts/record-bird2-fixtures.sh OUTDIR     # writes elsewhere (to compare)
#
# Everything runs inside two namespaces made here (fb2rec-a, fb2rec-b, 10.99.50-51.x and
# fd99:50-51::x); both BIRDs and both namespaces are removed on exit, also on failure.
# Times and timers in the replies differ from run to run; the parser tests pin the
# recorded values, so a re-recording means updating the expected values too.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"

out="${1:-$repo/test/fixtures/bird-2.0.12}"
mkdir -p "$out"
bird="$("$repo/scripts/install-bird2.sh")"
version="$("$bird" --version 2>&1)"
case "$version" in *"2.0.12"*) ;; *) echo "record-bird2-fixtures: want BIRD 2.0.12, got: $version" >&2; exit 1 ;; esac

NS_A=fb2rec-a
NS_B=fb2rec-b
work="$(mktemp -d /tmp/fb2rec.XXXXXX)"
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

# A run that died half-way may have left its namespaces (their BIRDs died with the script's
# process group or are killed with the namespace's last process).
ip netns del "$NS_A" 2>/dev/null || true
ip netns del "$NS_B" 2>/dev/null || true

# ─── topology ────────────────────────────────────────────────────────────────
# Two links between the nodes: a (10.99.50.0/24, fd99:50::/64) for the per-family mesh
# sessions, and b (10.99.51.0/24, fd99:51::/64) for one eBGP session carrying both families.
ip netns add "$NS_A"
ip netns add "$NS_B"
inA() { ip netns exec "$NS_A" "$@"; }
inB() { ip netns exec "$NS_B" "$@"; }
ip link add fb2a0 netns "$NS_A" type veth peer name fb2b0 netns "$NS_B"
ip link add fb2a1 netns "$NS_A" type veth peer name fb2b1 netns "$NS_B"
for ns in "$NS_A" "$NS_B"; do
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
  ip netns exec "$ns" ip link set lo up
done
inA ip addr add 10.99.50.1/24 dev fb2a0
inA ip addr add fd99:50::1/64 dev fb2a0 nodad
inA ip addr add 10.99.51.1/24 dev fb2a1
inA ip addr add fd99:51::1/64 dev fb2a1 nodad
inB ip addr add 10.99.50.2/24 dev fb2b0
inB ip addr add fd99:50::2/64 dev fb2b0 nodad
inB ip addr add 10.99.51.2/24 dev fb2b1
inB ip addr add fd99:51::2/64 dev fb2b1 nodad
inA ip link set fb2a0 up
inA ip link set fb2a1 up
inB ip link set fb2b0 up
inB ip link set fb2b1 up
# A route BIRD's kernel protocol on A learns (`learn`): source "inherit" in show route all.
inA ip route add 10.99.70.0/24 via 10.99.50.2 proto static
inA ip -6 route add fd99:70::/64 via fd99:50::2 proto static

# ─── configs ────────────────────────────────────────────────────────────────
# Node A: default time formats; Node B: `timeformat … iso long`, as a stable-output config would.
blocks() { # $1 = node letter: 100 IPv4 /26 and 60 IPv6 /122 blackhole "blocks" per node
  local off=0
  [ "$1" = b ] && off=128
  echo 'protocol static blocks4 {'
  echo '  ipv4;'
  for i in $(seq 0 99); do echo "  route 192.168.$i.$off/26 blackhole;"; done
  echo '}'
  echo 'protocol static blocks6 {'
  echo '  ipv6;'
  for i in $(seq 0 59); do printf '  route fd99:%s::%x/122 blackhole;\n' "$1" $((i * 64)); done
  echo '}'
}

# One config for both nodes; they differ only where the captures need it: A holds the
# kernel-learned, static and unanswered protocols and the error-wait timer, B the `iso long`
# time formats and the eBGP export filter that tags its routes.
node_conf() { # $1 = a | b
  local me=$1 n=1 peer=2 as=64512 peer_as=64513 export=to_mesh learn=' learn; scan time 10;' import='import all; ' error_wait=' error wait time 2, 4;'
  if [ "$me" = b ]; then n=2 peer=1 as=64513 peer_as=64512 export=tagged learn='' import='' error_wait=''; fi
  echo "router id 10.99.50.$n;"
  echo 'log stderr all;'
  if [ "$me" = b ]; then printf 'timeformat protocol iso long;\ntimeformat route iso long;\ntimeformat base iso long;\n'; fi
  cat <<EOF

protocol device { scan time 10; }
protocol direct { ipv4; ipv6; interface "fb2$me*"; }
protocol kernel kernel4 { ipv4 { ${import}export filter { if source = RTS_BGP then accept; reject; }; };$learn }
protocol kernel kernel6 { ipv6 { ${import}export filter { if source = RTS_BGP then accept; reject; }; };$learn }

EOF
  if [ "$me" = a ]; then cat <<EOF
protocol static static4 {
  ipv4;
  route 10.99.60.0/24 via 10.99.50.2;
  route 10.99.61.0/24 via 10.99.50.2 via 10.99.51.2;
  route 10.99.62.0/24 unreachable;
  route 10.99.63.0/24 prohibit;
}
EOF
  fi
  blocks "$me"
  echo
  echo 'filter to_mesh { if source = RTS_STATIC then accept; reject; }'
  if [ "$me" = b ]; then cat <<EOF
filter tagged {
  if source != RTS_STATIC then reject;
  bgp_community.add((64513,100));
  bgp_community.add((65535,65281));
  bgp_large_community.add((64513,1,2));
  bgp_ext_community.add((rt,64513,100));
  bgp_med = 50;
  bgp_path.prepend(64513);
  accept;
}
EOF
  fi
  cat <<EOF

template bgp mesh { local as 64512; connect retry time 2;$error_wait }

protocol bgp Mesh_10_99_50_$peer from mesh {
  local 10.99.50.$n; neighbor 10.99.50.$peer as 64512;
  ipv4 { import all; export filter to_mesh; };
}
protocol bgp Mesh_fd99_50__$peer from mesh {
  local fd99:50::$n; neighbor fd99:50::$peer as 64512;
  ipv6 { import all; export filter to_mesh; };
}
EOF
  if [ "$me" = a ]; then echo "# eBGP, one session for both families; B's routes arrive with communities and a longer path."; fi
  cat <<EOF
protocol bgp Node_10_99_51_$peer {
  local 10.99.51.$n as $as; neighbor 10.99.51.$peer as $peer_as;
  ipv4 { import all; export filter $export; };
  ipv6 { import all; export filter $export; next hop address fd99:51::$n; };
}
EOF
  if [ "$me" = a ]; then cat <<EOF
# Nobody answers at .9: Connect/Active with a socket error.
protocol bgp Global_10_99_50_9 from mesh {
  local 10.99.50.1; neighbor 10.99.50.9 as 64599;
  ipv4 { import all; export none; };
}
protocol bgp Global_fd99_50__9 from mesh {
  local fd99:50::1; neighbor fd99:50::9 as 64599;
  ipv6 { import all; export none; };
}
# B listens on 179 only: refused, so mostly Active with "Connection refused".
protocol bgp Global_10_99_50_2_port_1790 from mesh {
  local 10.99.50.1; neighbor 10.99.50.2 port 1790 as 64512;
  ipv4 { import all; export none; };
}
protocol bgp Node_10_99_50_7 from mesh {
  disabled;
  local 10.99.50.1; neighbor 10.99.50.7 as 64512;
  ipv4 { import all; export none; };
}
EOF
  fi
}
node_conf a >"$work/a.conf"
node_conf b >"$work/b.conf"

# a.conf with one session's options changed (a restart: "in progress"), a syntax error, a semantic error.
sed 's/neighbor 10.99.50.9 as 64599;/neighbor 10.99.50.9 as 64598;/' "$work/a.conf" >"$work/a-changed.conf"
sed 's/^protocol bgp Node_10_99_50_7 from mesh {$/protocol bgp Node_10_99_50_7 from nosuchtemplate {/' "$work/a.conf" >"$work/a-invalid.conf"
sed 's/local 10.99.50.1; neighbor 10.99.50.7 as 64512;/local 10.99.50.1;/' "$work/a.conf" >"$work/a-semantic.conf"

"$bird" -p -c "$work/a.conf"
"$bird" -p -c "$work/b.conf"

# ─── daemons ────────────────────────────────────────────────────────────────
start_bird() { # ns name
  ip netns exec "$1" "$bird" -f -c "$work/$2.conf" -s "$work/$2.ctl" -P "$work/$2.pid" 2>"$work/$2.log" &
  pids+=($!)
}
start_bird "$NS_A" a
start_bird "$NS_B" b
for _ in $(seq 100); do [ -S "$work/a.ctl" ] && [ -S "$work/b.ctl" ] && break; sleep 0.1; done

# One command per connection, every byte as BIRD sent it, greeting included.
cat >"$work/raw.mjs" <<'EOF'
import { connect } from 'node:net'
import { writeFileSync } from 'node:fs'
const [socketPath, file, ...commands] = process.argv.slice(2)
const s = connect(socketPath)
const chunks = []
let replies = -1 // the greeting ends with a final line too
let sent = 0
let text = ''
s.on('data', (b) => {
  chunks.push(b)
  text += b.toString('latin1')
  // Count final lines ("DDDD text"); after each, send the next command.
  for (;;) {
    const m = /(^|\n)\d{4} [^\n]*\n/.exec(text)
    if (m === null) break
    text = text.slice(m.index + m[0].length)
    replies++
    if (sent < commands.length) s.write(commands[sent++] + '\n')
    else if (replies === commands.length) {
      writeFileSync(file, Buffer.concat(chunks))
      s.end()
      return
    }
  }
})
setTimeout(() => { console.error(`timeout waiting for ${file}`); process.exit(1) }, 20000)
s.on('close', () => process.exit(0))
EOF
raw() { # node file command...
  local node="$1" file="$2"
  shift 2
  node "$work/raw.mjs" "$work/$node.ctl" "$out/$file" "$@"
}

established() { # node protocol
  node "$work/raw.mjs" "$work/$1.ctl" "$work/probe" "show protocols $2"
  grep -q 'Established' "$work/probe"
}
for _ in $(seq 150); do
  established a Mesh_10_99_50_2 && established a Mesh_fd99_50__2 && established a Node_10_99_51_2 && break
  sleep 0.2
done
established a Node_10_99_51_2 || { echo "record-bird2-fixtures: sessions did not come up" >&2; cat "$work/a.log" >&2; exit 1; }
# Let the kernel scan and the unanswered sessions reach their error states.
sleep 12

raw a raw_a_show_status.txt 'show status'
raw b raw_b_show_status.txt 'show status'
raw a raw_a_show_protocols.txt 'show protocols'
raw b raw_b_show_protocols.txt 'show protocols'
raw a raw_a_show_protocols_all.txt 'show protocols all'
raw b raw_b_show_protocols_all.txt 'show protocols all'
raw a raw_a_show_protocols_all_Node_10_99_51_2.txt 'show protocols all Node_10_99_51_2'
raw a raw_a_show_protocols_undefined.txt 'show protocols all NoSuchProtocol'
raw a raw_a_show_protocols_pattern_nomatch.txt 'show protocols all "NoSuch*"'
raw a raw_a_show_route.txt 'show route'
raw b raw_b_show_route.txt 'show route'
raw a raw_a_show_route_all.txt 'show route all'
raw b raw_b_show_route_all.txt 'show route all'
raw a raw_a_show_route_table_master6_all.txt 'show route table master6 all'
raw a raw_a_show_route_count.txt 'show route count'
raw a raw_a_show_route_stats.txt 'show route stats'
raw a raw_a_show_memory.txt 'show memory'
raw b raw_b_show_memory.txt 'show memory'
raw a raw_a_configure_check_ok.txt "configure check \"$work/a.conf\""
raw a raw_a_configure_check_invalid.txt "configure check \"$work/a-invalid.conf\""
raw a raw_a_configure_ok.txt "configure \"$work/a.conf\""
raw a raw_a_configure_in_progress.txt "configure \"$work/a-changed.conf\""
raw a raw_a_configure_invalid.txt "configure \"$work/a-invalid.conf\""
raw a raw_a_configure_check_semantic.txt "configure check \"$work/a-semantic.conf\""
raw a raw_a_syntax_error.txt 'show nonsense'
raw a raw_a_two_commands_one_connection.txt 'show status' 'show protocols'

# The working paths appear in configure replies; make them the same on every run.
sed -i "s#$work/#/tmp/fb2rec/#g" "$out"/raw_a_configure_*.txt
cp "$work/a.conf" "$out/lab_a.conf"
cp "$work/b.conf" "$out/lab_b.conf"
echo "recorded $(ls "$out" | grep -c '^raw_') captures into $out" >&2
