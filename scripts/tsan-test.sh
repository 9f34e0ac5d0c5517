#!/bin/sh
# Builds the thread pool and its test (native/test/pool_test.cc) with ThreadSanitizer and runs
# it: data races and lock-order problems in the pool fail here even when the ASan build passes.
# Uses clang++ (clang 14 ships the TSan runtime), else g++ with libtsan. Exits 77 when neither
# can build and run a TSan binary (scripts/native-test.sh then says it skipped).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
out=${NATIVE_TEST_OUT:-$root/build/native-test}
mkdir -p "$out"

probe="$out/tsan-probe"
printf '#include <thread>\nint main() { int x = 0; std::thread t([&] { x = 1; }); t.join(); return x - 1; }\n' \
  >"$probe.cc"
cxx=""
for candidate in ${TSAN_CXX:-} clang++ clang++-14 g++; do
  command -v "$candidate" >/dev/null 2>&1 || continue
  if "$candidate" -std=c++17 -fsanitize=thread -pthread -o "$probe" "$probe.cc" 2>/dev/null &&
    "$probe" >/dev/null 2>&1; then
    cxx=$candidate
    break
  fi
done
rm -f "$probe" "$probe.cc"
[ -n "$cxx" ] || exit 77

# One source per line, so that additions merge cleanly.
tsan_srcs="
common/thread_pool.cc
test/pool_test.cc
"
srcs=""
for f in $tsan_srcs; do srcs="$srcs $root/native/$f"; done
# shellcheck disable=SC2086
"$cxx" -std=c++17 -g -O1 -Wall -Wextra -Werror -fno-omit-frame-pointer -fsanitize=thread -pthread \
  -o "$out/pool_test_tsan" $srcs
echo "pool_test (TSan, $cxx):"
TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" timeout 300 "$out/pool_test_tsan"
