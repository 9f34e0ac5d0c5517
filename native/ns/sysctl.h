// Network sysctls of one namespace: /proc/sys/net/<key>, as `ip netns exec NS sysctl net.<key>`
// reads and writes them. The kernel resolves /proc/sys/net against the network namespace of the
// thread that opens the file, so these run on the namespace thread after
// NetnsHandle::Enter(). Opening a /proc/sys/net file never blocks (procfs: no FIFO, no device,
// no lock held by another process), which is why this path, and only this one, is opened there.
#pragma once

#include <optional>
#include <string>

#include "../common/result.h"

namespace netns_native::ns {

// Reads /proc/sys/net/<key> of the calling thread's network namespace (trailing newline
// removed) and, when `value` is given and differs, writes it. Returns the value read before.
// `key` is a relative path of the form "ipv6/conf/eth0/accept_dad": no "..", no empty segment,
// no leading '/' (EINVAL otherwise). ENOENT when the key does not exist (no such interface, or
// IPv6 disabled). A write-only key (mode 0200, net.ipv4.route.flush) is written unconditionally
// and "" returned as its value before.
Result<std::string> NetSysctl(const std::string& key, const std::optional<std::string>& value);

}  // namespace netns_native::ns
