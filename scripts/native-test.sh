#!/bin/sh
# Builds the native core (no Node) with AddressSanitizer + UBSan and runs native/test.
# Needs only g++; runs unprivileged.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
out=${NATIVE_TEST_OUT:-$root/build/native-test}
mkdir -p "$out"
core="netlink/message.cc netlink/socket.cc rtnl/link.cc rtnl/address.cc rtnl/route.cc rtnl/operation.cc"
core="$core rtnl/link_kind.cc rtnl/link/bridge.cc rtnl/link/veth.cc"
srcs=""
for f in $core; do srcs="$srcs $root/native/$f"; done
${CXX:-g++} -std=c++17 -g -O1 -Wall -Wextra -Werror -fno-omit-frame-pointer \
  -fsanitize=address,undefined -fno-sanitize-recover=undefined -pthread \
  -o "$out/core_test" $srcs "$root/native/test/core_test.cc"
ASAN_OPTIONS=detect_leaks=1 "$out/core_test"
