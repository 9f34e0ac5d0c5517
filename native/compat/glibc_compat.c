// glibc_compat.c: linked into the prebuilt glibc addon only (scripts/prebuild.js), so that a
// binary built against glibc 2.36 loads on glibc 2.28 (and the arm64 one on any glibc from 2.17
// that has the rest). Not part of the normal node-gyp build, which runs on the machine it builds
// for and needs none of this.
//
// Each symbol below is one that the addon, or the parts of the static libstdc++ it links in,
// would otherwise take at a glibc version newer than 2.28. This file defines it itself, hidden
// (so the link binds every reference in the addon to it, and nothing outside sees it):
//   - pthread_*: glibc 2.34 moved libpthread into libc and gave these new versions; the old ones
//     are still there (in libpthread.so.0 before 2.34, in libc.so.6 since as compat symbols).
//     A trampoline jumps to the old version, pinned with .symver, arguments untouched.
//   - stat64, fstat64, lstat64 (2.33; before that glibc had only __xstat64/__fxstat64/
//     __lxstat64): the syscalls,
//     whose struct is glibc's struct stat64 on x86-64 and arm64.
//   - __libc_single_threaded (2.32, read by libstdc++ to skip atomics): always 0, which is
//     always correct (the addon runs threads anyway).
//   - arc4random (2.36, libstdc++'s random_device): getrandom(2).
// The unwinder comes from the system's libgcc_s (GCC_3.0 .. GCC_4.2.0), not statically: the
// static one would need _dl_find_object (glibc 2.35). scripts/prebuild-check.js reads the
// result's symbol versions and fails the build if anything newer than 2.28 is left.
//
// Which symbols need it was found by linking without this file and listing the undefined
// symbols with versions above GLIBC_2.28 (objdump -T); the check keeps the list honest.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)
#define NETNS_GLIBC_BASE "GLIBC_2.2.5"
#define NETNS_SETNAME_VERSION "GLIBC_2.12"
#define NETNS_JUMP(target) "jmp " target "@PLT"
#elif defined(__aarch64__)
#define NETNS_GLIBC_BASE "GLIBC_2.17"
#define NETNS_SETNAME_VERSION "GLIBC_2.17"
#define NETNS_JUMP(target) "b " target
#else
#error "glibc_compat.c: only x86-64 and arm64 prebuilds are made"
#endif

// A hidden function NAME that jumps to NAME@VERSION.
#define NETNS_PIN(name, version) \
  __asm__(".text\n"                                                         \
          ".globl " #name "\n"                                              \
          ".hidden " #name "\n"                                             \
          ".type " #name ", %function\n"                                    \
          ".p2align 4\n" #name ":\n" NETNS_JUMP("netns_compat_" #name) "\n" \
          ".size " #name ", . - " #name "\n"                                \
          ".symver netns_compat_" #name ", " #name "@" version "\n");

NETNS_PIN(pthread_create, NETNS_GLIBC_BASE)
NETNS_PIN(pthread_detach, NETNS_GLIBC_BASE)
NETNS_PIN(pthread_join, NETNS_GLIBC_BASE)
NETNS_PIN(pthread_once, NETNS_GLIBC_BASE)
NETNS_PIN(pthread_key_create, NETNS_GLIBC_BASE)
NETNS_PIN(__pthread_key_create, NETNS_GLIBC_BASE)
NETNS_PIN(pthread_key_delete, NETNS_GLIBC_BASE)
NETNS_PIN(pthread_getspecific, NETNS_GLIBC_BASE)
NETNS_PIN(pthread_setspecific, NETNS_GLIBC_BASE)
NETNS_PIN(pthread_mutex_trylock, NETNS_GLIBC_BASE)
NETNS_PIN(pthread_setname_np, NETNS_SETNAME_VERSION)

#define NETNS_HIDDEN __attribute__((visibility("hidden")))

NETNS_HIDDEN char __libc_single_threaded = 0;

NETNS_HIDDEN int fstat64(int fd, struct stat64* st) { return (int)syscall(SYS_fstat, fd, st); }

NETNS_HIDDEN int stat64(const char* path, struct stat64* st) {
  return (int)syscall(SYS_newfstatat, AT_FDCWD, path, st, 0);
}

NETNS_HIDDEN int lstat64(const char* path, struct stat64* st) {
  return (int)syscall(SYS_newfstatat, AT_FDCWD, path, st, AT_SYMLINK_NOFOLLOW);
}

NETNS_HIDDEN uint32_t arc4random(void) {
  uint32_t v;
  for (;;) {
    long n = syscall(SYS_getrandom, &v, sizeof v, 0);
    if (n == (long)sizeof v) return v;
    if (n < 0 && errno != EINTR) {
      // getrandom exists since Linux 3.17; the addon needs 4.11. Nothing sane is left.
      __builtin_trap();
    }
  }
}
