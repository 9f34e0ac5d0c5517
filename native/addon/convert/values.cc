#include "values.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>

#include "../errors.h"

namespace netns_native::addon {

void AppendMac(std::string& out, const std::vector<uint8_t>& bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i) out += ':';
    out += kHex[bytes[i] >> 4];
    out += kHex[bytes[i] & 0xf];
  }
}

Napi::Value IpToJs(Napi::Env env, const std::vector<uint8_t>& bytes) {
  char text[INET6_ADDRSTRLEN];
  int family = bytes.size() == 4 ? AF_INET : bytes.size() == 16 ? AF_INET6 : 0;
  if (family == 0 || !inet_ntop(family, bytes.data(), text, sizeof text)) return env.Undefined();
  return Napi::String::New(env, text);
}

namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::vector<uint8_t> MacFromJs(Napi::Env env, Napi::Value value) {
  if (!value.IsString()) ThrowInternal(env, "MAC address must be a string");
  std::string s = value.As<Napi::String>().Utf8Value();
  // Exactly "xx:xx:...": pairs of hex digits separated by single colons, nothing else.
  std::vector<uint8_t> out;
  for (size_t i = 0; i < s.size(); i += 3) {
    int hi = i + 1 < s.size() ? HexDigit(s[i]) : -1;
    int lo = i + 1 < s.size() ? HexDigit(s[i + 1]) : -1;
    bool sep_ok = i + 2 == s.size() || (i + 2 < s.size() && s[i + 2] == ':');
    if (hi < 0 || lo < 0 || !sep_ok) ThrowInternal(env, "bad MAC address '" + s + "'");
    out.push_back(static_cast<uint8_t>(hi << 4 | lo));
  }
  if (out.empty()) ThrowInternal(env, "empty MAC address");
  return out;
}

std::vector<uint8_t> IpFromJs(Napi::Env env, Napi::Value value, int* family) {
  // One N-API call copies the text into a buffer on the stack (no std::string, no length query):
  // an address is on every address and route request. The longest textual IPv6 address is 45
  // characters; anything that fills the buffer is not an address.
  char text[64];
  size_t len = 0;
  if (napi_get_value_string_utf8(env, value, text, sizeof text, &len) != napi_ok) {
    ThrowInternal(env, "IP address must be a string");
  }
  uint8_t bytes[16];
  int af = 0;
  if (len + 1 < sizeof text && std::memchr(text, '\0', len) == nullptr) {
    if (inet_pton(AF_INET, text, bytes) == 1) {
      af = AF_INET;
    } else if (inet_pton(AF_INET6, text, bytes) == 1) {
      af = AF_INET6;
    }
  }
  if (af == 0) ThrowInternal(env, "bad IP address '" + std::string(text, len) + "'");
  if (family) *family = af;
  return std::vector<uint8_t>(bytes, bytes + (af == AF_INET ? 4 : 16));
}

int64_t IntegerFromJs(Napi::Env env, Napi::Value value, const char* what, int64_t min,
                      int64_t max) {
  if (!value.IsNumber()) ThrowInternal(env, std::string(what) + " must be a number");
  double d = value.As<Napi::Number>().DoubleValue();
  if (!(d >= static_cast<double>(min) && d <= static_cast<double>(max)) ||
      d != static_cast<double>(static_cast<int64_t>(d))) {
    ThrowInternal(env, std::string(what) + " must be an integer from " + std::to_string(min) +
                           " to " + std::to_string(max));
  }
  return static_cast<int64_t>(d);
}

ObjectBuilder& ObjectBuilder::Add(const char* name, napi_value v) {
  napi_property_descriptor d{};
  d.utf8name = name;
  d.value = v;
  d.attributes =
      static_cast<napi_property_attributes>(napi_writable | napi_enumerable | napi_configurable);
  props_.push_back(d);
  return *this;
}

Napi::Object ObjectBuilder::Build() {
  Napi::Object o = Napi::Object::New(env_);
  napi_define_properties(env_, o, props_.size(), props_.data());
  return o;
}

}  // namespace netns_native::addon
