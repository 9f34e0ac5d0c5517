#!/bin/sh
# Runs a command inside a throwaway network + mount namespace, so that nothing it does can
# touch this machine's interfaces, routes, named namespaces or /etc:
#   - a new network namespace (only `lo`, brought up here);
#   - a private mount namespace with fresh tmpfs mounts on /run (hence /run/netns) and an
#     overlay on /etc whose changes land in that tmpfs (hence /etc/netns).
# Everything disappears when the command exits. Needs root (CAP_SYS_ADMIN + CAP_NET_ADMIN).
#
#   scripts/isolated.sh jest ...          scripts/isolated.sh node bench/run.js
set -eu

if [ "$(id -u)" != 0 ]; then
  echo "netns-native: not root, so the kernel tests cannot run (they need CAP_SYS_ADMIN and" >&2
  echo "CAP_NET_ADMIN). Running only the tests that need no privileges; run as root for all." >&2
  export NETNS_NATIVE_UNPRIVILEGED=1
  exec npx --no-install "$@"
fi

if [ "${NETNS_NATIVE_ISOLATED:-}" = 1 ]; then
  exec npx --no-install "$@"  # already inside
fi

exec unshare --net --mount --propagation private -- sh -eu -c '
  mount -t tmpfs -o mode=0755 netns-native-run /run
  mkdir -p /run/netns /run/.etc-upper /run/.etc-work
  mount -t overlay -o lowerdir=/etc,upperdir=/run/.etc-upper,workdir=/run/.etc-work netns-native-etc /etc
  mkdir -p /etc/netns
  ip link set lo up
  export NETNS_NATIVE_ISOLATED=1
  exec npx --no-install "$@"
' isolated "$@"
