#!/bin/sh
# Fuzzes the netlink reply parsers (rtnetlink and nf_tables) and the request engine with libFuzzer (+ ASan/UBSan) for N seconds (default 60).
# Needs clang and its runtime: apt-get install clang libclang-rt-14-dev
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
cxx=$(command -v clang++ || command -v clang++-14 || true)
if [ -z "$cxx" ]; then
  echo "clang++ not found: apt-get install clang libclang-rt-14-dev" >&2
  exit 2
fi
out=$root/build/fuzz
mkdir -p "$out/corpus"
"$cxx" -std=c++17 -g -O1 -fsanitize=fuzzer,address,undefined \
  -o "$out/fuzz_parser" \
  "$root/native/netlink/message.cc" "$root/native/netlink/engine.cc" "$root/native/rtnl/link.cc" \
  "$root/native/rtnl/link_kind.cc" "$root"/native/rtnl/link/*.cc \
  "$root/native/rtnl/address.cc" "$root/native/rtnl/route.cc" "$root/native/rtnl/neighbour.cc" \
  "$root/native/rtnl/rule.cc" "$root/native/rtnl/nsid.cc" "$root/native/nft/expr.cc" \
  "$root/native/nft/objects.cc" "$root/native/nft/decode.cc" "$root/native/test/fuzz_parser.cc"
# Seeds: real nf_tables messages, so the fuzzer starts inside their decoders.
"$cxx" -std=c++17 -O1 -o "$out/nft_fuzz_seeds" "$root/native/test/nft_fuzz_seeds.cc"
"$out/nft_fuzz_seeds" "$out/corpus"
"$out/fuzz_parser" -max_total_time="$seconds" "$out/corpus"
