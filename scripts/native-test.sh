#!/bin/sh
# Builds the native core (no Node) with AddressSanitizer + UBSan and runs native/test:
#   core_test    codec, link kinds, ACK decoding, mutations, a read-only NETLINK_ROUTE round trip
#   engine_test  the request engine fed scripted datagrams
#   pool_test    the thread pool (FIFO order, Call, retirement, thread start failure, shutdown)
#   kernel_test  transport, engine, runner and namespace handle against the real kernel (root; in
#                a throwaway `unshare --net` namespace)
#   ns_test      the namespace thread, namespace files and network sysctls (root; in a throwaway
#                network + mount namespace with a tmpfs scratch directory as its run dir)
#   nft_test     the nf_tables codec: golden bytes captured from nft, decoding, round trips
#   nft_kernel_test  batches from the codec against the real kernel, checked with nft itself
#                (root, and nft installed: scripts/install-test-tools.sh)
#   route_encap_test  route encapsulations (RTA_ENCAP): golden bytes captured from ip, parsed back
#   monitor_test notifications decoded (captured bytes, actions, malformed input, mutations); as
#                root also a real monitor socket (fences in order, an overrun on a tiny buffer)
# and the pool again under ThreadSanitizer (scripts/tsan-test.sh). Each prints
# "NAME: N checks, M failed"; what needs root, or a TSan-capable compiler, says so when skipped.
# Every run is under `timeout`, so a hang fails. Needs only g++ (and clang++ or libtsan for TSan).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
out=${NATIVE_TEST_OUT:-$root/build/native-test}
mkdir -p "$out"
flags="-std=c++17 -g -O1 -Wall -Wextra -Werror -fno-omit-frame-pointer
  -fsanitize=address,undefined -fno-sanitize-recover=undefined -pthread"
export ASAN_OPTIONS=detect_leaks=1

# Sources by area, one per line so that additions merge cleanly.
codec="
netlink/message.cc
rtnl/link.cc
rtnl/link_kind.cc
rtnl/link/bridge.cc
rtnl/link/veth.cc
rtnl/link/vxlan.cc
rtnl/link/macvlan.cc
rtnl/link/tun.cc
rtnl/link/ifb.cc
rtnl/link/dummy.cc
rtnl/link/vlan.cc
rtnl/link/ipvlan.cc
rtnl/link/vrf.cc
rtnl/link/geneve.cc
rtnl/link/gre.cc
rtnl/link/bond.cc
rtnl/address.cc
rtnl/route.cc
rtnl/route_encap.cc
rtnl/neighbour.cc
rtnl/rule.cc
rtnl/nsid.cc
rtnl/nexthop.cc
rtnl/netconf.cc
rtnl/multicast.cc
ns/proc_multicast.cc
rtnl/operation.cc
rtnl/decode.cc
"
nft="
nft/expr.cc
nft/objects.cc
nft/batch.cc
nft/decode.cc
nft/statement.cc
nft/operation.cc
"
engine="
netlink/engine.cc
netlink/transport.cc
netlink/socket.cc
"
monitor="
rtnl/monitor.cc
"
threads="
common/thread_pool.cc
ns/netns.cc
ns/ns_thread.cc
ns/handle.cc
ns/sysctl.cc
ns/names_watch.cc
"
tests="
test/core_test.cc
test/engine_test.cc
test/pool_test.cc
test/kernel_test.cc
test/ns_test.cc
test/nft_rules.cc
test/nft_test.cc
test/nft_kernel_test.cc
test/monitor_test.cc
test/route_encap_test.cc
"

# TSan builds and runs on its own meanwhile; its output is shown at the end.
"$root/scripts/tsan-test.sh" >"$out/tsan.log" 2>&1 &
tsan=$!

# Each source compiled once, in parallel; then each test linked from the objects it needs.
obj() { echo "$out/$(echo "$1" | tr / _ | sed 's/\.cc$/.o/')"; }
for f in $codec $nft $engine $monitor $threads $tests; do echo "$f"; done |
  CXX=${CXX:-g++} FLAGS="$flags" ROOT="$root" OUT="$out" xargs -P "$(nproc)" -I{} sh -c '
    o="$OUT/$(echo "{}" | tr / _ | sed "s/\.cc$/.o/")"
    $CXX $FLAGS -c -o "$o" "$ROOT/native/{}"'
link() {
  name=$1
  shift
  objs=""
  for f in "$@"; do objs="$objs $(obj "$f")"; done
  # shellcheck disable=SC2086
  ${CXX:-g++} $flags -o "$out/$name" $objs
}
# shellcheck disable=SC2086
{
  link core_test $codec $engine test/core_test.cc
  link engine_test netlink/engine.cc netlink/message.cc test/engine_test.cc
  link pool_test common/thread_pool.cc test/pool_test.cc
  link kernel_test $codec $engine $threads test/kernel_test.cc
  link ns_test common/thread_pool.cc ns/netns.cc ns/ns_thread.cc ns/sysctl.cc ns/names_watch.cc \
    test/ns_test.cc
  link nft_test netlink/message.cc $engine $nft test/nft_rules.cc test/nft_test.cc
  link nft_kernel_test netlink/message.cc $engine $nft test/nft_rules.cc test/nft_kernel_test.cc
  link monitor_test $codec $engine $monitor test/monitor_test.cc
  link route_encap_test $codec $engine test/route_encap_test.cc
}

timeout 300 "$out/core_test"
timeout 120 "$out/engine_test"
timeout 120 "$out/pool_test"
timeout 120 "$out/nft_test"
timeout 120 "$out/monitor_test"
timeout 120 "$out/route_encap_test"
if [ "$(id -u)" = 0 ]; then
  # A new network namespace of its own: the test creates bridges and an nftables table.
  NETNS_NATIVE_KERNEL_TEST=1 timeout 300 unshare --net "$out/kernel_test"
  scratch="$out/ns-scratch"
  mkdir -p "$scratch"
  # The tmpfs and every mount the test makes live and die in the private mount namespace.
  timeout 120 unshare --net --mount --propagation private -- \
    sh -eu -c 'mount -t tmpfs -o mode=0755 nnt-ns-test "$1"; exec "$2" "$1"' \
    ns_test "$scratch" "$out/ns_test"
  rmdir "$scratch"
  # Its kernel part makes bridges and floods a monitor socket: a throwaway namespace of its own.
  NETNS_NATIVE_KERNEL_TEST=1 timeout 120 unshare --net "$out/monitor_test"
  if command -v nft >/dev/null 2>&1; then
    # The test unshares a network namespace itself; this outer one is a second guard.
    timeout 300 unshare --net -- "$out/nft_kernel_test"
  else
    echo "nft_kernel_test: SKIPPED: nft is not installed (scripts/install-test-tools.sh)"
  fi
else
  echo "kernel_test: SKIPPED: not root (the real-kernel tests need CAP_NET_ADMIN); run as root"
  echo "ns_test: SKIPPED: not root (it needs CAP_SYS_ADMIN for unshare, setns and mount); run as root"
  echo "nft_kernel_test: SKIPPED: not root (it sends real nf_tables batches); run as root"
  echo "monitor_test (with kernel): SKIPPED: not root (it makes links to watch); run as root"
fi

status=0
wait $tsan || status=$?
cat "$out/tsan.log"
if [ "$status" -eq 77 ]; then
  echo "pool_test (TSan): SKIPPED: no compiler here builds and runs -fsanitize=thread binaries"
elif [ "$status" -ne 0 ]; then
  exit "$status"
fi
