// Module init: per-instance state and exports, nothing else.
#include <napi.h>

#include "api/api.h"
#include "convert/convert.h"
#include "state.h"

namespace netns_native::addon {

namespace {

// Enough that a few slow requests (a delete waiting on RCU, a large dump) do not hold up the
// rest; each idle worker costs a stack and nothing else.
constexpr size_t kWorkerThreads = 4;

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  auto* state = new AddonState();
  // Home is the namespace of the thread loading the addon: the JS thread.
  auto ns_thread = ns::NamespaceThread::Create();
  if (!ns_thread.ok()) {
    delete state;
    throw ToJsError(env, ns_thread.error());
  }
  state->ns_thread = ns_thread.take();
  ThreadPool::Options workers;
  workers.threads = kWorkerThreads;
  workers.name = "netns-worker";
  state->workers = std::make_unique<ThreadPool>(std::move(workers));
  state->jobs = std::make_unique<Jobs>(env);
  // Torn down with the environment: threads joined, handles closed.
  env.SetInstanceData<AddonState>(state);

  InitNamespaceApi(env, exports);
  InitRequestsApi(env, exports);
  InitIcmpApi(env, exports);
  InitSocketApi(env, exports);
  InitMonitorApi(env, exports);
  InitTunApi(env, exports);
  InitFileApi(env, exports);
  InitMulticastApi(env, exports);
  InitNamesWatchApi(env, exports);
  exports.Set("schema", SchemaToJs(env));
  return exports;
}

}  // namespace

NODE_API_MODULE(netns_native, Init)

}  // namespace netns_native::addon
