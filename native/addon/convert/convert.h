// The only place JS values and native structs meet. Inputs were validated in TypeScript; what
// is checked here is only what keeps C++ safe (types, ranges of integers), reported as TypeError.
#pragma once

#include <napi.h>
#include <memory>
#include <vector>

#include "../../common/result.h"
#include "../../ns/handle.h"
#include "../../ns/icmp.h"
#include "../../rtnl/operation.h"

namespace netns_native::addon {

// A JS Error carrying errno, detail, syscall and badOffset: what lib/ turns into NetnsError.
Napi::Error ToJsError(Napi::Env env, const Error& error);
// The same facts as a plain object, for one failed operation in a batch.
Napi::Object FailureToJs(Napi::Env env, const Error& error);

// Namespace handles cross as tagged externals holding a shared_ptr.
Napi::Value HandleToJs(Napi::Env env, std::shared_ptr<ns::NetnsHandle> handle);
std::shared_ptr<ns::NetnsHandle> HandleFromJs(Napi::Value value);

// What a batch of operation descriptors became: the operations, what each returns, and leases
// on the namespaces they refer to (IFLA_NET_NS_FD), held until the batch has run.
struct OperationBatch {
  enum class Returns { kAck, kLink, kLinks, kAddresses, kRoutes };
  std::vector<std::unique_ptr<rtnl::Operation>> ops;
  std::vector<Returns> returns;
  std::vector<ns::NetnsHandle::Lease> leases;

  std::vector<rtnl::Operation*> pointers() const;
};

// Converts flattened operations (lib/native/wire.ts, FlatOps). Throws TypeError on a
// malformed descriptor and NetnsError-shaped errors (EBADF) on a closed namespace.
OperationBatch OperationsFromJs(Napi::Env env, Napi::Value flat);

// One result per operation: undefined (ACK), a link, an array, or a failure object.
Napi::Array ResultsToJs(Napi::Env env, const OperationBatch& batch);

Napi::Object EchoReplyToJs(Napi::Env env, const ns::EchoReply& reply);

// "aa:bb:cc:dd:ee:ff" <-> bytes; textual IPv4/IPv6 -> bytes (family from the text).
std::vector<uint8_t> MacFromJs(Napi::Env env, Napi::Value value);
std::vector<uint8_t> IpFromJs(Napi::Env env, Napi::Value value, int* family = nullptr);

}  // namespace netns_native::addon
