// A minimal check harness for the native tests (no framework: they build with nothing but a
// compiler and run under sanitizers). CHECK counts and reports; CheckBytes compares a built
// message with captured bytes; main() returns Report(), which prints the tally line that
// scripts/native-test.sh and test/unit/native-core.test.ts look for.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "../common/result.h"

namespace netns_native::test {

inline int failures = 0;
inline int checks = 0;

using Bytes = std::vector<uint8_t>;

// Bytes in hex, a space after every four (one netlink alignment unit).
inline std::string Hex(const Bytes& b) {
  std::string s;
  char x[4];
  for (size_t i = 0; i < b.size(); ++i) {
    std::snprintf(x, sizeof x, "%02x", b[i]);
    s += x;
    if (i % 4 == 3) s += ' ';
  }
  return s;
}

// Compares built bytes with a capture (iproute2's, nft's); on a difference prints both and the
// first differing offset.
inline void CheckBytes(const char* what, const Result<Bytes>& built, const Bytes& expected) {
  ++checks;
  if (!built.ok()) {
    ++failures;
    std::fprintf(stderr, "%s: build failed: %s\n", what, built.error().detail.c_str());
    return;
  }
  if (built.value() != expected) {
    ++failures;
    size_t at = 0;
    while (at < built.value().size() && at < expected.size() && built.value()[at] == expected[at]) {
      ++at;
    }
    std::fprintf(stderr, "%s: bytes differ at offset %zu\n  got:  %s\n  want: %s\n", what, at,
                 Hex(built.value()).c_str(), Hex(expected).c_str());
  }
}

inline int Report(const char* suite) {
  std::printf("%s: %d checks, %d failed\n", suite, checks, failures);
  return failures == 0 ? 0 : 1;
}

}  // namespace netns_native::test

#define CHECK(cond)                                                                 \
  do {                                                                              \
    ++::netns_native::test::checks;                                                 \
    if (!(cond)) {                                                                  \
      ++::netns_native::test::failures;                                             \
      std::fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
    }                                                                               \
  } while (0)
