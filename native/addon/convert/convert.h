// Where JS values and native structs meet (JS thread only). What crosses, field by field, is
// declared once in schema.h; lib/native/wire.ts builds its side from the schema the addon exports.
// Inputs were validated in TypeScript; what is checked here is what keeps C++ and the kernel safe
// (types, integer ranges, no NUL in strings, address families), reported as internal errors.
#pragma once

#include <napi.h>

#include <memory>
#include <vector>

#include "../../common/result.h"
#include "../../nft/operation.h"
#include "../../ns/handle.h"
#include "../../ns/icmp.h"
#include "../../rtnl/monitor.h"
#include "../../rtnl/operation.h"
#include "../errors.h"
#include "schema.h"
#include "values.h"

namespace netns_native::addon {

// Namespace handles cross as tagged externals holding a shared_ptr.
Napi::Value HandleToJs(Napi::Env env, std::shared_ptr<ns::NetnsHandle> handle);
std::shared_ptr<ns::NetnsHandle> HandleFromJs(Napi::Value value);

// What a batch of requests became: the operations in order (each an rtnetlink request or an
// nf_tables operation), what each returns, and leases on the namespaces they refer to
// (IFLA_NET_NS_FD, NETNSA_FD) or the files opened for them, held until the batch has run.
struct OperationBatch {
  struct Entry {
    std::unique_ptr<rtnl::Operation> rtnl;  // one of the two
    std::unique_ptr<nft::Operation> nft;
    Returns returns = Returns::kAck;
    // The links it returns carry their statistics: the request asked for them (some kernels
    // send IFLA_STATS64 regardless, which is then not passed on).
    bool stats = false;
  };
  std::vector<Entry> entries;
  std::vector<ns::NetnsHandle::Lease> leases;
  // Namespace files opened for their fd alone (a namespace named by { path, inode }), closed
  // once the batch has run.
  std::vector<UniqueFd> files;

  // Whether some entry needs a socket of `protocol` (NETLINK_ROUTE, NETLINK_NETFILTER).
  bool needs(int protocol) const;
};

// Reads flattened requests (schema.h: code, then the argument struct as tag/value pairs).
// Throws an internal TypeError on a malformed request, and an errno-carrying Error (EBADF) when a
// request refers to a closed namespace.
OperationBatch OperationsFromJs(Napi::Env env, Napi::Value flat);
// The packed form (what lib/native/wire.ts sends): `count` numbers of the Float64Array `nums`,
// the strings and handles in the array `refs`, in order (see FlatReader in requests.cc). Read at
// once: both may be reused by the caller after this returns.
OperationBatch OperationsFromJs(Napi::Env env, Napi::Value nums, Napi::Value count,
                                Napi::Value refs);

// One result per operation: packed links, an array, or a failure object; an ACK is left a hole
// (no store), which lib/native/wire.ts turns into undefined before anything else sees the array.
Napi::Array ResultsToJs(Napi::Env env, const OperationBatch& batch);

Napi::Object EchoReplyToJs(Napi::Env env, const ns::EchoReply& reply);

// A monitor's batch: { codes: Uint8Array, links?: packed links, addresses?: [...], routes?: [...],
// fences?: [seq...] }, the objects in the same shapes as the dumps' results.
Napi::Object EventBatchToJs(Napi::Env env, const rtnl::EventBatch& batch);

// The schema object exported as `addon.schema` (see schema.h), built once at load.
Napi::Object SchemaToJs(Napi::Env env);

}  // namespace netns_native::addon
