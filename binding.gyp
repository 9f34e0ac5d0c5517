{
  "variables": {
    "core_sources": [
      "native/common/thread_pool.cc",
      "native/netlink/message.cc",
      "native/netlink/socket.cc",
      "native/netlink/transport.cc",
      "native/netlink/engine.cc",
      "native/rtnl/link.cc",
      "native/rtnl/link_kind.cc",
      "native/rtnl/link/bridge.cc",
      "native/rtnl/link/veth.cc",
      "native/rtnl/address.cc",
      "native/rtnl/route.cc",
      "native/rtnl/operation.cc",
      "native/rtnl/decode.cc",
      "native/rtnl/monitor.cc",
      "native/ns/netns.cc",
      "native/ns/ns_thread.cc",
      "native/ns/handle.cc",
      "native/ns/icmp.cc",
      "native/ns/socket.cc",
      "native/nft/expr.cc",
      "native/nft/objects.cc",
      "native/nft/batch.cc",
      "native/nft/decode.cc"
    ]
  },
  "targets": [
    {
      "target_name": "netns_native",
      "sources": [
        "<@(core_sources)",
        "native/addon/addon.cc",
        "native/addon/errors.cc",
        "native/addon/convert/handle.cc",
        "native/addon/convert/requests.cc",
        "native/addon/convert/results.cc",
        "native/addon/convert/schema.cc",
        "native/addon/convert/values.cc",
        "native/addon/jobs.cc",
        "native/addon/api/namespace.cc",
        "native/addon/api/rtnl.cc",
        "native/addon/api/icmp.cc",
        "native/addon/api/socket.cc",
        "native/addon/api/monitor.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-Wall", "-Wextra", "-Werror", "-O2"],
      "ldflags": ["-pthread"]
    },
    {
      "target_name": "nsexec",
      "type": "executable",
      "sources": ["native/exec/nsexec.c"],
      "cflags": ["-std=gnu11", "-Wall", "-Wextra", "-Werror", "-O2"]
    }
  ]
}
