#!/bin/sh
# libFuzzer (+ ASan/UBSan) on the native core, each target for SECONDS (default 60):
#   fuzz_parser    every reply parser (rtnetlink, nf_tables), the ACK decoder, the request engine
#                  fed arbitrary datagrams
#   fuzz_requests  link/address/route requests built and parsed back (round trip), namespace name
#                  and path checks
# Seeds: the committed corpus (native/test/corpus/TARGET, read only) plus the nf_tables golden
# messages; new inputs go to build/fuzz/corpus/TARGET, crashes to build/fuzz/artifacts/TARGET/.
# Prints "fuzz TARGET: N runs in S s, 0 crashes" per target; exits non-zero on a crash.
#
#   scripts/fuzz.sh [SECONDS [TARGET...]]
#   scripts/fuzz.sh --merge [TARGET...]   minimise build/fuzz/corpus + the committed corpus back
#                                         into native/test/corpus (libFuzzer -merge=1)
#   scripts/fuzz.sh --check               exit 0 if clang can build libFuzzer targets here
# Long runs: FUZZ_JOBS=N runs N workers per target (libFuzzer -jobs/-workers); FUZZ_OUT=DIR puts
# the build, corpus and artifacts there instead of build/fuzz (node-gyp rebuild empties build/).
# FUZZ_TIMEOUT=S (default 60): an input running longer is reported as a hang. libFuzzer measures
# wall time, so on a loaded machine a low value reports inputs that were only starved of CPU.
# Needs clang and its runtime: scripts/install-test-tools.sh (apt: clang libclang-rt-14-dev).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cxx=$(command -v clang++ || command -v clang++-14 || true)
all_targets="fuzz_parser fuzz_requests"

check() {
  [ -n "$cxx" ] || return 1
  probe=$(mktemp -d)
  echo 'extern "C" int LLVMFuzzerTestOneInput(const unsigned char*, unsigned long) { return 0; }' \
    >"$probe/p.cc"
  ok=0
  "$cxx" -fsanitize=fuzzer,address,undefined -o "$probe/p" "$probe/p.cc" >/dev/null 2>&1 || ok=1
  rm -rf "$probe"
  return $ok
}

if [ "${1:-}" = --check ]; then
  check
  exit $?
fi
if ! check; then
  echo "fuzz: clang++ with libFuzzer not found: scripts/install-test-tools.sh" \
    "(apt-get install clang libclang-rt-14-dev)" >&2
  exit 2
fi

merge=0
if [ "${1:-}" = --merge ]; then
  merge=1
  shift
  seconds=0
else
  seconds=${1:-60}
  [ $# -gt 0 ] && shift
fi
targets=${*:-$all_targets}

out=${FUZZ_OUT:-$root/build/fuzz}
mkdir -p "$out"
flags="-std=c++17 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined"
codec="netlink/message.cc netlink/engine.cc rtnl/link.cc rtnl/link_kind.cc
  $(cd "$root/native" && echo rtnl/link/*.cc) rtnl/address.cc rtnl/route.cc rtnl/route_encap.cc
  rtnl/neighbour.cc rtnl/rule.cc rtnl/nsid.cc rtnl/nexthop.cc rtnl/netconf.cc rtnl/multicast.cc
  ns/proc_multicast.cc"
sources() {
  case $1 in
    fuzz_parser) echo "$codec nft/expr.cc nft/objects.cc nft/decode.cc test/fuzz_parser.cc" ;;
    fuzz_requests) echo "$codec ns/netns.cc test/fuzz_requests.cc" ;;
    *)
      echo "fuzz: unknown target $1 (targets: $all_targets)" >&2
      exit 2
      ;;
  esac
}

status=0
for t in $targets; do
  files=""
  for f in $(sources "$t"); do files="$files $root/native/$f"; done
  # shellcheck disable=SC2086
  "$cxx" $flags -o "$out/$t" $files
  work=$out/corpus/$t
  seeds=$root/native/test/corpus/$t
  rm -rf "$out/artifacts/$t"
  mkdir -p "$work" "$seeds" "$out/artifacts/$t"
  if [ "$t" = fuzz_parser ]; then
    # Real nf_tables messages, so the fuzzer starts inside their decoders.
    "$cxx" -std=c++17 -O1 -o "$out/nft_fuzz_seeds" "$root/native/test/nft_fuzz_seeds.cc"
    "$out/nft_fuzz_seeds" "$work"
  fi
  if [ "$merge" = 1 ]; then
    # Only what adds coverage is kept, from the committed seeds and everything found since.
    merged=$(mktemp -d)
    "$out/$t" -merge=1 "$merged" "$seeds" "$work" >"$out/$t.merge.log" 2>&1
    rm -f "$seeds"/*
    cp "$merged"/* "$seeds"/ 2>/dev/null || true
    rm -rf "$merged"
    echo "fuzz $t: corpus minimised to $(ls "$seeds" | wc -l) inputs," \
      "$(du -sk "$seeds" | cut -f1) KiB in native/test/corpus/$t"
    continue
  fi
  log=$out/$t.log
  jobs=${FUZZ_JOBS:-1}
  set +e
  if [ "$jobs" -gt 1 ]; then
    # Each worker writes $out/jobs-$t/fuzz-N.log; they share the corpus directory.
    mkdir -p "$out/jobs-$t"
    rm -f "$out/jobs-$t"/fuzz-*.log
    (cd "$out/jobs-$t" && "$out/$t" -max_total_time="$seconds" -timeout="${FUZZ_TIMEOUT:-60}" -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="$out/artifacts/$t/" -jobs="$jobs" \
      -workers="$jobs" "$work" "$seeds") >"$log" 2>&1
    cat "$out/jobs-$t"/fuzz-*.log >>"$log" 2>/dev/null || true
  else
    "$out/$t" -max_total_time="$seconds" -timeout="${FUZZ_TIMEOUT:-60}" -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$out/artifacts/$t/" "$work" "$seeds" >"$log" 2>&1
  fi
  rc=$?
  set -e
  runs=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\1 \2/p' "$log" |
    awk '{ n += $1; s += $2 } END { if (NR) printf "%d runs in %d s", n, s }')
  crashes=$(ls "$out/artifacts/$t" | wc -l)
  if [ "$rc" -ne 0 ] || [ "$crashes" -ne 0 ]; then
    echo "fuzz $t: FAILED (exit $rc, $crashes crash inputs in $out/artifacts/$t/); log: $log"
    tail -40 "$log"
    status=1
  else
    echo "fuzz $t: ${runs:-? runs}, 0 crashes"
  fi
done
exit $status
