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
      "native/rtnl/link/vxlan.cc",
      "native/rtnl/link/macvlan.cc",
      "native/rtnl/link/tun.cc",
      "native/rtnl/link/ifb.cc",
      "native/rtnl/link/dummy.cc",
      "native/rtnl/link/vlan.cc",
      "native/rtnl/link/ipvlan.cc",
      "native/rtnl/link/vrf.cc",
      "native/rtnl/link/geneve.cc",
      "native/rtnl/link/gre.cc",
      "native/rtnl/link/bond.cc",
      "native/rtnl/address.cc",
      "native/rtnl/route.cc",
      "native/rtnl/neighbour.cc",
      "native/rtnl/rule.cc",
      "native/rtnl/nsid.cc",
      "native/rtnl/operation.cc",
      "native/ns/netns.cc",
      "native/ns/ns_thread.cc",
      "native/ns/handle.cc",
      "native/ns/icmp.cc",
      "native/ns/socket.cc",
      "native/ns/tun.cc",
      "native/ns/sysctl.cc",
      "native/nft/expr.cc",
      "native/nft/objects.cc",
      "native/nft/batch.cc",
      "native/nft/decode.cc",
      "native/nft/statement.cc",
      "native/nft/operation.cc"
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
        "native/addon/api/requests.cc",
        "native/addon/api/icmp.cc",
        "native/addon/api/socket.cc",
        "native/addon/api/tun.cc",
        "native/addon/api/file.cc"
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
