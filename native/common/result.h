// Errors as values. The native core never throws: every fallible function returns a Status or a
// Result<T>, so it can be unit-tested, fuzzed and sanitized without Node.
#pragma once

#include <cerrno>
#include <cstdint>
#include <string>
#include <utility>
#include <variant>

namespace netns_native {

// Why something failed: an errno value plus, when the kernel gave one, its extended-ack text.
struct Error {
  int code = 0;             // positive errno (EEXIST, ENODEV, ...)
  std::string detail;       // the kernel's NLMSGERR_ATTR_MSG, or our own explanation
  uint32_t bad_offset = 0;  // NLMSGERR_ATTR_OFFS: offset of the offending attribute, 0 if none
  std::string syscall;      // the failing syscall when the error did not come from a NACK

  static Error FromErrno(const char* syscall_name, int err = errno) {
    Error e;
    e.code = err;
    e.syscall = syscall_name;
    return e;
  }
  static Error Invalid(std::string why) {
    Error e;
    e.code = EINVAL;
    e.detail = std::move(why);
    return e;
  }
};

class Status {
 public:
  Status() = default;                                               // success
  Status(Error error) : error_(std::move(error)), failed_(true) {}  // NOLINT: implicit by design

  bool ok() const { return !failed_; }
  const Error& error() const { return error_; }
  Error&& take_error() { return std::move(error_); }

 private:
  Error error_;
  bool failed_ = false;
};

template <class T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}           // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}       // NOLINT: implicit by design
  Result(Status status) : v_(status.take_error()) {}  // only for failed statuses

  bool ok() const { return v_.index() == 0; }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  T&& take() { return std::move(std::get<0>(v_)); }
  const Error& error() const { return std::get<1>(v_); }
  Error&& take_error() { return std::move(std::get<1>(v_)); }
  Status status() const { return ok() ? Status() : Status(error()); }

 private:
  std::variant<T, Error> v_;
};

// Retries a syscall while it fails with EINTR.
template <class F>
auto RetryOnEintr(F&& f) -> decltype(f()) {
  decltype(f()) r;
  do {
    r = f();
  } while (r == -1 && errno == EINTR);
  return r;
}

}  // namespace netns_native
