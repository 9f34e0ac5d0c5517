// The native tests' one assertion: counts checks and failures, reports each failure with its
// line, and never stops the run (main prints "N checks, M failed" and exits non-zero on M > 0).
#pragma once

#include <cstdio>

namespace netns_native::test {
inline int failures = 0;
inline int checks = 0;
}  // namespace netns_native::test

#define CHECK(cond)                                                                 \
  do {                                                                              \
    ++::netns_native::test::checks;                                                 \
    if (!(cond)) {                                                                  \
      ++::netns_native::test::failures;                                             \
      std::fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
    }                                                                               \
  } while (0)
