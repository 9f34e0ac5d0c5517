#!/bin/sh
# Builds the native core (no Node) with AddressSanitizer + UBSan and runs native/test:
#   core_test  netlink encoding/decoding (unprivileged);
#   pool_test  the thread pool (unprivileged);
#   ns_test    the namespace thread and namespace files (root: run inside a throwaway network +
#              mount namespace, with a tmpfs scratch directory as its run dir; skipped, saying
#              so, when not root);
# and the pool again under ThreadSanitizer (scripts/tsan-test.sh; skipped, saying so, when no
# compiler here can build and run a TSan binary). The builds run in parallel; every test run is
# under `timeout`, so a hang fails. Needs only g++ (and clang++ or g++'s libtsan for TSan).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
out=${NATIVE_TEST_OUT:-$root/build/native-test}
mkdir -p "$out"
flags="-std=c++17 -g -O1 -Wall -Wextra -Werror -fno-omit-frame-pointer
  -fsanitize=address,undefined -fno-sanitize-recover=undefined -pthread"
export ASAN_OPTIONS=detect_leaks=1

# build NAME SOURCES...: one ASan/UBSan binary from sources under native/.
build() {
  name=$1
  shift
  srcs=""
  for f in "$@"; do srcs="$srcs $root/native/$f"; done
  # shellcheck disable=SC2086
  ${CXX:-g++} $flags -o "$out/$name" $srcs
}

# TSan builds and runs on its own meanwhile; its output is shown at the end.
"$root/scripts/tsan-test.sh" >"$out/tsan.log" 2>&1 &
tsan=$!

core="netlink/message.cc netlink/socket.cc rtnl/link.cc rtnl/address.cc rtnl/route.cc rtnl/operation.cc"
# shellcheck disable=SC2086
build core_test $core test/core_test.cc &
core_build=$!
# One source per line, so that additions merge cleanly.
pool_srcs="
common/thread_pool.cc
test/pool_test.cc
"
# shellcheck disable=SC2086
build pool_test $pool_srcs &
pool_build=$!
ns_srcs="
common/thread_pool.cc
ns/netns.cc
ns/ns_thread.cc
test/ns_test.cc
"
# shellcheck disable=SC2086
build ns_test $ns_srcs &
ns_build=$!

wait $core_build
timeout 300 "$out/core_test"
wait $pool_build
timeout 120 "$out/pool_test"
wait $ns_build
if [ "$(id -u)" = 0 ]; then
  scratch="$out/ns-scratch"
  mkdir -p "$scratch"
  # The tmpfs and every mount the test makes live and die in the private mount namespace.
  timeout 120 unshare --net --mount --propagation private -- \
    sh -eu -c 'mount -t tmpfs -o mode=0755 nnt-ns-test "$1"; exec "$2" "$1"' \
    ns_test "$scratch" "$out/ns_test"
  rmdir "$scratch"
else
  echo "ns_test: SKIPPED: not root (it needs CAP_SYS_ADMIN for unshare, setns and mount); run as root"
fi

status=0
wait $tsan || status=$?
cat "$out/tsan.log"
if [ "$status" -eq 77 ]; then
  echo "pool_test (TSan): SKIPPED: no compiler here builds and runs -fsanitize=thread binaries"
elif [ "$status" -ne 0 ]; then
  exit "$status"
fi
