// Small conversions shared by the converters: addresses as text, and objects built in one call.
// JS thread only.
#pragma once

#include <napi.h>

#include <cstdint>
#include <string>
#include <vector>

namespace netns_native::addon {

// "aa:bb:cc:dd:ee:ff" appended to `out` (no snprintf: dumps format thousands of these).
void AppendMac(std::string& out, const std::vector<uint8_t>& bytes);

// Textual IPv4/IPv6 for 4 or 16 bytes; undefined for anything else.
Napi::Value IpToJs(Napi::Env env, const std::vector<uint8_t>& bytes);

// "aa:bb:cc:dd:ee:ff" -> bytes; textual IPv4/IPv6 -> 4 or 16 bytes (family from the text).
// Malformed input is an internal error (ThrowInternal): lib/ validates first.
std::vector<uint8_t> MacFromJs(Napi::Env env, Napi::Value value);
std::vector<uint8_t> IpFromJs(Napi::Env env, Napi::Value value, int* family = nullptr);

// An integer from min to max, or an internal error saying `what` was wrong (not a number, not
// an integer, out of range): for the arguments of the private surface's plain functions.
int64_t IntegerFromJs(Napi::Env env, Napi::Value value, const char* what, int64_t min, int64_t max);

// Builds a plain object with one napi_define_properties call: fewer crossings than a Set per
// field.
class ObjectBuilder {
 public:
  explicit ObjectBuilder(Napi::Env env) : env_(env) { props_.reserve(24); }
  ObjectBuilder& Add(const char* name, napi_value v);
  ObjectBuilder& Num(const char* name, double v) { return Add(name, Napi::Number::New(env_, v)); }
  ObjectBuilder& Str(const char* name, const std::string& v) {
    return Add(name, Napi::String::New(env_, v));
  }
  Napi::Object Build();

 private:
  Napi::Env env_;
  std::vector<napi_property_descriptor> props_;
};

}  // namespace netns_native::addon
