// Native failures as JS values: what lib/internal/errors.ts turns into NetnsError.
#pragma once

#include <napi.h>

#include "../common/result.h"

namespace netns_native::addon {

// A JS Error carrying errno, detail, syscall and badOffset, to throw (or reject with).
Napi::Error ToJsError(Napi::Env env, const Error& error);

// The same facts as a plain object, for one failed operation in a batch.
Napi::Object FailureToJs(Napi::Env env, const Error& error);

// A TypeError for a malformed call from lib/native/ (a bug in netns-native, never the user's
// input, which TypeScript validates first). lib/ reports it with code EINTERNAL.
[[noreturn]] void ThrowInternal(Napi::Env env, const std::string& what);

}  // namespace netns_native::addon
