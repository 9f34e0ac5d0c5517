#!/bin/sh
# Installs the tools the tests compare against, only when missing (idempotent, quiet):
#   nft    - the nf_tables golden tests and the kernel round trip (scripts/native-test.sh)
#   strace - to recapture the golden bytes (scripts/nft-golden.py)
#   clang, libclang-rt-14-dev - libFuzzer for the fuzz targets (scripts/fuzz.sh,
#            test/unit/fuzz.test.ts); checked by building a probe target
#   containernetworking-plugins - the reference CNI plugins (bridge, host-local) the CNI plugin's
#            tests run side by side with (test/kernel/cni.test.ts)
# Debian/Ubuntu; needs root. CI calls it before the tests.
set -eu
missing=""
command -v nft >/dev/null 2>&1 || missing="$missing nftables"
command -v strace >/dev/null 2>&1 || missing="$missing strace"
"$(dirname "$0")/fuzz.sh" --check || missing="$missing clang libclang-rt-14-dev"
[ -x /usr/lib/cni/bridge ] && [ -x /usr/lib/cni/host-local ] || missing="$missing containernetworking-plugins"
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "install-test-tools: need root to install:$missing" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
