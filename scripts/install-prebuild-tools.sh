#!/bin/sh
# Installs what `npm run prebuild` uses to build for every target it can, from Debian's packages,
# only what is missing (idempotent). Needs root; Debian/Ubuntu. Nothing else is fetched.
#
#   g++-aarch64-linux-gnu   the linux-arm64 glibc addon (a cross g++ with its glibc 2.36 sysroot;
#                           scripts/prebuild.js pins the symbol versions down to glibc 2.17/2.28)
#   musl-tools, musl-dev    the exec helper as a static musl binary (x64), which runs on glibc
#                           and musl systems alike
#   musl-dev:arm64 files    the arm64 static helper: musl's arm64 headers and libc.a, unpacked
#                           into a sysroots directory (musl-arm64/; no multiarch set up on
#                           this machine), driven by aarch64-linux-gnu-gcc with musl's specs
#   qemu-user-static        runs the arm64 builds here (scripts/prebuild-check.js)
#   nodejs:arm64 files      Debian's arm64 Node and its libraries, unpacked likewise (arm64/),
#                           to load the arm64 addon under qemu
# The sysroots directory: $NETNS_NATIVE_SYSROOTS, default ~/.cache/netns-native/sysroots.
#
#   scripts/install-prebuild-tools.sh            everything above
#   scripts/install-prebuild-tools.sh --no-arm64-node   without the arm64 Node sysroot (~60 MB)
set -eu
# Outside build/, which `node-gyp rebuild` deletes whole.
sysroots="${NETNS_NATIVE_SYSROOTS:-${XDG_CACHE_HOME:-$HOME/.cache}/netns-native/sysroots}"
with_node=1
[ "${1:-}" = "--no-arm64-node" ] && with_node=0

if [ "$(id -u)" != 0 ]; then
  echo "install-prebuild-tools: needs root (apt-get install)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive

missing=""
command -v aarch64-linux-gnu-g++ >/dev/null 2>&1 || missing="$missing g++-aarch64-linux-gnu"
command -v musl-gcc >/dev/null 2>&1 || missing="$missing musl-tools musl-dev"
command -v qemu-aarch64-static >/dev/null 2>&1 || missing="$missing qemu-user-static"
command -v objdump >/dev/null 2>&1 || missing="$missing binutils"
if [ -n "$missing" ]; then
  apt-get update -qq >/dev/null
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# arm64 packages are unpacked into a private sysroot with a private apt state (its own lists,
# an empty dpkg status), so this machine's apt and dpkg configuration is left as it is.
# unpack_arm64 DEST closure|only PACKAGE...: with every dependency, or only the packages named.
unpack_arm64() {
  dest=$1
  mode=$2
  shift 2
  [ -f "$dest/.complete" ] && return 0
  state="$dest.apt"
  mkdir -p "$state/lists/partial" "$state/cache/archives/partial" "$dest"
  : >"$state/status"
  opts="-o APT::Architecture=arm64 -o APT::Architectures::=arm64
    -o Dir::State::Lists=$state/lists -o Dir::State::status=$state/status
    -o Dir::Cache=$state/cache -o Debug::NoLocking=1 -o APT::Sandbox::User=root"
  # shellcheck disable=SC2086
  apt-get $opts update -qq >/dev/null
  if [ "$mode" = closure ]; then
    # shellcheck disable=SC2086
    apt-get $opts install -y -qq --download-only --no-install-recommends "$@" >/dev/null
  else
    # shellcheck disable=SC2086
    (cd "$state/cache/archives" && apt-get $opts download "$@" >/dev/null)
  fi
  for deb in "$state"/cache/archives/*.deb; do dpkg-deb -x "$deb" "$dest"; done
  touch "$dest/.complete"
}

unpack_arm64 "$sysroots/musl-arm64" only musl-dev musl
if [ "$with_node" = 1 ]; then
  unpack_arm64 "$sysroots/arm64" closure nodejs
fi
echo "install-prebuild-tools: ready (sysroots in $sysroots)"
