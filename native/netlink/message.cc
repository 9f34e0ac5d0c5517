#include "message.h"

#include <limits>

namespace netns_native::netlink {

namespace {
constexpr size_t kMaxAttrLen = std::numeric_limits<uint16_t>::max();
}

MessageBuilder::MessageBuilder(uint16_t type, uint16_t flags) {
  buf_.reserve(256);  // first, so that the header below does not allocate a buffer of its own
  buf_.resize(NLMSG_HDRLEN, 0);
  nlmsghdr h{};
  h.nlmsg_type = type;
  h.nlmsg_flags = flags;
  std::memcpy(buf_.data(), &h, sizeof h);
}

void AppendAttr(std::vector<uint8_t>& out, uint16_t type, const void* data, size_t len) {
  nlattr nla{};
  nla.nla_len = static_cast<uint16_t>(NLA_HDRLEN + len);
  nla.nla_type = type;
  size_t at = out.size();
  out.resize(at + Align(nla.nla_len), 0);
  std::memcpy(out.data() + at, &nla, sizeof nla);
  if (len > 0) std::memcpy(out.data() + at + NLA_HDRLEN, data, len);
}

void MessageBuilder::PutRaw(const void* data, size_t len) {
  size_t at = buf_.size();
  buf_.resize(at + Align(len), 0);
  if (len > 0) std::memcpy(buf_.data() + at, data, len);
}

void MessageBuilder::PutAttr(uint16_t type, const void* data, size_t len) {
  if (NLA_HDRLEN + len > kMaxAttrLen) {
    overflow_ = true;
    return;
  }
  nlattr nla{};
  nla.nla_len = static_cast<uint16_t>(NLA_HDRLEN + len);
  nla.nla_type = type;
  size_t at = buf_.size();
  buf_.resize(at + Align(NLA_HDRLEN + len), 0);
  std::memcpy(buf_.data() + at, &nla, sizeof nla);
  if (len > 0) std::memcpy(buf_.data() + at + NLA_HDRLEN, data, len);
}

void MessageBuilder::PutString(uint16_t type, std::string_view s) {
  std::vector<char> z(s.begin(), s.end());
  z.push_back('\0');
  PutAttr(type, z.data(), z.size());
}

size_t MessageBuilder::BeginNest(uint16_t type) {
  size_t token = buf_.size();
  PutAttr(type | NLA_F_NESTED, nullptr, 0);
  return token;
}

void MessageBuilder::EndNest(size_t token) {
  size_t len = buf_.size() - token;
  if (len > kMaxAttrLen) {
    overflow_ = true;
    return;
  }
  uint16_t len16 = static_cast<uint16_t>(len);
  std::memcpy(buf_.data() + token + offsetof(nlattr, nla_len), &len16, sizeof len16);
}

Result<std::vector<uint8_t>> MessageBuilder::Finish() && {
  if (overflow_ || buf_.size() > std::numeric_limits<uint32_t>::max()) {
    Error e;
    e.code = EMSGSIZE;
    e.detail = "a netlink attribute is larger than 64 KiB";
    return e;
  }
  uint32_t len = static_cast<uint32_t>(buf_.size());
  std::memcpy(buf_.data() + offsetof(nlmsghdr, nlmsg_len), &len, sizeof len);
  return std::move(buf_);
}

std::string Attr::String() const {
  if (!data) return std::string();
  const void* nul = std::memchr(data, '\0', len);
  size_t n = nul ? static_cast<size_t>(static_cast<const uint8_t*>(nul) - data) : len;
  return std::string(reinterpret_cast<const char*>(data), n);
}

bool AttrsAfterHeader(const nlmsghdr& msg, size_t header_len, const uint8_t** p, size_t* len) {
  size_t total = msg.nlmsg_len;
  size_t start = NLMSG_HDRLEN + Align(header_len);
  if (total < NLMSG_HDRLEN + header_len) return false;
  const uint8_t* base = reinterpret_cast<const uint8_t*>(&msg);
  if (total < start) {  // header present but unpadded and no attributes
    *p = base + total;
    *len = 0;
    return true;
  }
  *p = base + start;
  *len = total - start;
  return true;
}

}  // namespace netns_native::netlink
