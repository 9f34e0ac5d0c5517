// Namespace handles as JS values: an External tagged as ours, holding a shared_ptr.
#include "../errors.h"
#include "convert.h"

namespace netns_native::addon {

namespace {

// Distinguishes our externals from anyone else's (napi_type_tag, N-API 8).
constexpr napi_type_tag kHandleTag = {0x6e65746e73686e64ULL, 0x2d6e61746976652dULL};

struct HandleBox {
  std::shared_ptr<ns::NetnsHandle> handle;
};

}  // namespace

Napi::Value HandleToJs(Napi::Env env, std::shared_ptr<ns::NetnsHandle> handle) {
  auto* box = new HandleBox{std::move(handle)};
  auto ext = Napi::External<HandleBox>::New(env, box, [](Napi::Env, HandleBox* b) { delete b; });
  napi_type_tag_object(env, ext, &kHandleTag);
  return ext;
}

std::shared_ptr<ns::NetnsHandle> HandleFromJs(Napi::Value value) {
  Napi::Env env = value.Env();
  bool ours = false;
  if (value.IsExternal()) napi_check_object_type_tag(env, value, &kHandleTag, &ours);
  if (!ours) ThrowInternal(env, "expected a namespace handle");
  return value.As<Napi::External<HandleBox>>().Data()->handle;
}

}  // namespace netns_native::addon
