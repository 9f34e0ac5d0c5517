// A minimal check harness for the native tests (no framework: they build with nothing but a
// compiler and run under sanitizers). CHECK counts and reports; main() prints the tally line
// that scripts/native-test.sh and test/unit/native-core.test.ts look for.
#pragma once

#include <cstdio>

namespace netns_native::test {

inline int failures = 0;
inline int checks = 0;

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
