#!/bin/sh
# Builds the native core (no Node) with AddressSanitizer + UBSan and runs native/test.
# Needs only g++; runs unprivileged.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
out=${NATIVE_TEST_OUT:-$root/build/native-test}
mkdir -p "$out"
build() {  # build OUTPUT SOURCES... (paths below native/)
  target=$1
  shift
  srcs=""
  for f in "$@"; do srcs="$srcs $root/native/$f"; done
  # shellcheck disable=SC2086
  ${CXX:-g++} -std=c++17 -g -O1 -Wall -Wextra -Werror -fno-omit-frame-pointer \
    -fsanitize=address,undefined -fno-sanitize-recover=undefined -pthread \
    -o "$out/$target" $srcs
}
core="netlink/message.cc netlink/socket.cc rtnl/link.cc rtnl/address.cc rtnl/route.cc rtnl/operation.cc"
nft="netlink/message.cc nft/expr.cc nft/objects.cc nft/batch.cc nft/decode.cc"
# shellcheck disable=SC2086
build core_test $core test/core_test.cc
# shellcheck disable=SC2086
build nft_test $nft test/nft_test.cc
ASAN_OPTIONS=detect_leaks=1 "$out/core_test"
ASAN_OPTIONS=detect_leaks=1 "$out/nft_test"
