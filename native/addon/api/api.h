// The addon's private JS surface, registered by addon.cc. Declared for TypeScript in
// lib/native/surface.ts; lib/native/ is the only caller.
#pragma once

#include <napi.h>

namespace netns_native::addon {

void InitNamespaceApi(Napi::Env env, Napi::Object exports);   // api/namespace.cc
void InitRequestsApi(Napi::Env env, Napi::Object exports);    // api/requests.cc
void InitIcmpApi(Napi::Env env, Napi::Object exports);        // api/icmp.cc
void InitSocketApi(Napi::Env env, Napi::Object exports);      // api/socket.cc
void InitMonitorApi(Napi::Env env, Napi::Object exports);     // api/monitor.cc
void InitTunApi(Napi::Env env, Napi::Object exports);         // api/tun.cc
void InitFileApi(Napi::Env env, Napi::Object exports);        // api/file.cc
void InitNamesWatchApi(Napi::Env env, Napi::Object exports);  // api/names_watch.cc
void InitMulticastApi(Napi::Env env, Napi::Object exports);   // api/multicast.cc

}  // namespace netns_native::addon
