// Per-addon-instance state (one per Node environment: the main thread and each worker_thread).
// No C++ globals: everything the addon owns hangs off this and is torn down with the env.
#pragma once

#include <napi.h>
#include <memory>

#include "../common/thread_pool.h"
#include "../ns/ns_thread.h"
#include "jobs.h"

namespace netns_native::addon {

struct AddonState {
  // Declared first so it is destroyed last, after the threads that complete jobs are joined.
  std::unique_ptr<Jobs> jobs;
  // Setns/unshare happen here and nowhere else, and nothing else happens here.
  std::unique_ptr<ns::NamespaceThread> ns_thread;
  // Everything that may block and needs no namespace switch: netlink requests that may sleep
  // in the kernel (link deletes and moves wait on RCU, dumps of many links take milliseconds),
  // opening user-supplied paths, the /run/netns lock, mounts, deletes. Workers never change
  // namespace; they may wait on ns_thread (Call), never the reverse. Destroyed first: its
  // running jobs may still need ns_thread.
  std::unique_ptr<ThreadPool> workers;
  Napi::FunctionReference icmp_socket_class;
  Napi::FunctionReference monitor_socket_class;
  Napi::FunctionReference names_watch_class;

  Napi::Promise OnNamespaceThread(Napi::Env env, std::unique_ptr<Job> job) {
    return jobs->Run(std::move(job), [this](ThreadPool::Work run, ThreadPool::Abandon abandon) {
      ns_thread->Post(std::move(run), std::move(abandon));
    });
  }
  Napi::Promise OnWorker(Napi::Env env, std::unique_ptr<Job> job) {
    return jobs->Run(std::move(job), [this](ThreadPool::Work run, ThreadPool::Abandon abandon) {
      workers->Post(std::move(run), std::move(abandon));
    });
  }
};

inline AddonState& State(Napi::Env env) { return *env.GetInstanceData<AddonState>(); }

}  // namespace netns_native::addon
