#!/bin/sh
# Builds the native core (no Node) with AddressSanitizer + UBSan and runs native/test:
#   core_test    codec, ACK decoding, mutations, a read-only NETLINK_ROUTE round trip (unprivileged)
#   engine_test  the request engine fed scripted datagrams (unprivileged)
#   kernel_test  transport, engine, runner and namespace handle against the real kernel: needs
#                root, and runs inside a throwaway `unshare --net` namespace; skipped out loud
#                otherwise.
# Each prints "[name: ]N checks, M failed".
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
out=${NATIVE_TEST_OUT:-$root/build/native-test}
mkdir -p "$out"
flags="-std=c++17 -g -O1 -Wall -Wextra -Werror -fno-omit-frame-pointer \
  -fsanitize=address,undefined -fno-sanitize-recover=undefined -pthread"

core="netlink/message.cc netlink/socket.cc rtnl/link.cc rtnl/address.cc rtnl/route.cc rtnl/operation.cc"
# Link kinds: one file each, registered at load.
core="$core rtnl/link_kind.cc rtnl/link/bridge.cc rtnl/link/veth.cc"
# The netlink engine and transport (engine issue).
engine="netlink/transport.cc netlink/engine.cc"
# The namespace handle and what it needs to open sockets inside a namespace.
ns="ns/handle.cc ns/netns.cc ns/ns_thread.cc common/thread_pool.cc"
tests="test/core_test.cc test/engine_test.cc test/kernel_test.cc"

# Each source compiled once, in parallel; then the three tests linked from the objects.
obj() { echo "$out/$(echo "$1" | tr / _ | sed 's/\.cc$/.o/')"; }
for f in $core $engine $ns $tests; do echo "$f"; done |
  CXX=${CXX:-g++} FLAGS="$flags" ROOT="$root" OUT="$out" xargs -P "$(nproc)" -I{} sh -c '
    o="$OUT/$(echo "{}" | tr / _ | sed "s/\.cc$/.o/")"
    $CXX $FLAGS -c -o "$o" "$ROOT/native/{}"'
link() {
  name=$1
  shift
  objs=""
  for f in "$@"; do objs="$objs $(obj "$f")"; done
  ${CXX:-g++} $flags -o "$out/$name" $objs
}
link core_test $core $engine test/core_test.cc
link engine_test netlink/engine.cc netlink/message.cc test/engine_test.cc
link kernel_test $core $engine $ns test/kernel_test.cc

export ASAN_OPTIONS=detect_leaks=1
"$out/core_test"
"$out/engine_test"
if [ "$(id -u)" = 0 ]; then
  # A new network namespace of its own: the test creates bridges and an nftables table.
  NETNS_NATIVE_KERNEL_TEST=1 unshare --net "$out/kernel_test"
else
  echo "kernel: skipped (not root: the real-kernel tests need CAP_NET_ADMIN; run as root)"
fi
