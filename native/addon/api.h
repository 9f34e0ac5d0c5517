// The addon's private JS surface, registered by addon.cc. Declared for TypeScript in
// lib/native.ts, which is the only caller.
#pragma once

#include <napi.h>

namespace netns_native::addon {

void InitNamespaceApi(Napi::Env env, Napi::Object exports);  // namespace_api.cc
void InitRtnlApi(Napi::Env env, Napi::Object exports);       // rtnl_api.cc
void InitIcmpApi(Napi::Env env, Napi::Object exports);       // icmp_api.cc
void InitSocketApi(Napi::Env env, Napi::Object exports);     // socket_api.cc

}  // namespace netns_native::addon
