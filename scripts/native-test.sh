#!/bin/sh
# Builds the native core (no Node) with AddressSanitizer + UBSan and runs native/test.
# Needs only g++; runs unprivileged (the nf_tables kernel round trip at the end needs root).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
out=${NATIVE_TEST_OUT:-$root/build/native-test}
mkdir -p "$out/obj"
cxx() {
  ${CXX:-g++} -std=c++17 -g -O1 -Wall -Wextra -Werror -fno-omit-frame-pointer \
    -fsanitize=address,undefined -fno-sanitize-recover=undefined -pthread "$@"
}
# Each source below native/ compiles once, into $out/obj; the tests link what they need.
obj() {
  for f in "$@"; do
    o="$out/obj/$(echo "$f" | tr / _).o"
    cxx -c -o "$o" "$root/native/$f"
    echo "$o"
  done
}
link() {  # link TARGET OBJECTS...
  target=$1
  shift
  cxx -o "$out/$target" "$@"
}
message=$(obj netlink/message.cc)
rtnl=$(obj netlink/socket.cc rtnl/link.cc rtnl/address.cc rtnl/route.cc rtnl/operation.cc)
nft=$(obj nft/expr.cc nft/objects.cc nft/batch.cc nft/decode.cc)
rules=$(obj test/nft_rules.cc)
# shellcheck disable=SC2086
link core_test $message $rtnl $(obj test/core_test.cc)
# shellcheck disable=SC2086
link nft_test $message $nft $rules $(obj test/nft_test.cc)
ASAN_OPTIONS=detect_leaks=1 "$out/core_test"
ASAN_OPTIONS=detect_leaks=1 "$out/nft_test"

# The nf_tables codec against the real kernel: needs root (a network namespace of its own, and
# CAP_NET_ADMIN in it) and nft to compare with (scripts/install-test-tools.sh installs it).
if [ "$(id -u)" != 0 ]; then
  echo "nft kernel round trip SKIPPED: not root (run as root to send real nf_tables batches)"
elif ! command -v nft >/dev/null 2>&1; then
  echo "nft kernel round trip SKIPPED: nft not installed (scripts/install-test-tools.sh)"
else
  # shellcheck disable=SC2086
  link nft_kernel_test $message $nft $rules $(obj test/nft_kernel_test.cc)
  # The test unshares a network namespace itself; this outer one is a second guard.
  ASAN_OPTIONS=detect_leaks=1 unshare --net -- "$out/nft_kernel_test"
fi
