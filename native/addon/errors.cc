#include "errors.h"

#include <cstring>

namespace netns_native::addon {

namespace {

// errno, detail, syscall, badOffset: what lib/internal/errors.ts reads off a failure.
void SetFailureFacts(Napi::Env env, Napi::Object target, const Error& error) {
  target.Set("errno", Napi::Number::New(env, error.code));
  if (!error.detail.empty()) target.Set("detail", Napi::String::New(env, error.detail));
  if (!error.syscall.empty()) target.Set("syscall", Napi::String::New(env, error.syscall));
  if (error.bad_offset) target.Set("badOffset", Napi::Number::New(env, error.bad_offset));
}

}  // namespace

Napi::Object FailureToJs(Napi::Env env, const Error& error) {
  Napi::Object o = Napi::Object::New(env);
  SetFailureFacts(env, o, error);
  return o;
}

Napi::Error ToJsError(Napi::Env env, const Error& error) {
  std::string message = std::strerror(error.code);
  if (!error.detail.empty()) message += ": " + error.detail;
  Napi::Error e = Napi::Error::New(env, message);
  SetFailureFacts(env, e.Value(), error);
  return e;
}

void ThrowInternal(Napi::Env env, const std::string& what) {
  Napi::Error e = Napi::TypeError::New(env, what);
  e.Value().Set("internal", Napi::Boolean::New(env, true));
  throw e;
}

}  // namespace netns_native::addon
