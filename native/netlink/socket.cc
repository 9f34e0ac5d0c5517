#include "socket.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

namespace netns_native::netlink {

namespace {

// One receive buffer per thread, reused by every socket that thread drives (a handle's socket
// is used by the JS thread and by workers in turn; a buffer per socket would cost a MiB for each
// namespace held open).
uint8_t* ReceiveBuffer() {
  thread_local std::unique_ptr<uint8_t[]> buf(new uint8_t[Socket::kReceiveBytes]);
  return buf.get();
}

}  // namespace

int64_t RetryInterruptedDump(int attempts, int64_t elapsed_ms) {
  if (elapsed_ms >= kDumpRetryBudgetMs) return -1;
  if (attempts <= kDumpRetryImmediate) return 0;
  // 1, 2, 4 ... ms, capped; never past the budget.
  int shift = std::min(attempts - kDumpRetryImmediate - 1, 20);
  int64_t delay = std::min<int64_t>(int64_t{1} << shift, kDumpRetryMaxDelayMs);
  return std::min(delay, kDumpRetryBudgetMs - elapsed_ms);
}

Result<Socket> Socket::Open(const TransportOptions& options) {
  Result<Transport> t = Transport::Open(options);
  if (!t.ok()) return t.take_error();
  return Socket(t.take());
}

Socket::Socket(Transport transport) : transport_(std::move(transport)) {
  engine_.set_port_id(transport_.port_id());
}

Status Socket::Fail(const Error& error) {
  transport_.MarkBroken(error);
  engine_.FailAll(error);
  return error;
}

Status Socket::Transact(const std::vector<Request*>& requests, int timeout_ms, DumpWait wait) {
  stopped_at_ = nullptr;
  if (broken()) {
    for (Request* r : requests) r->status = transport_.broken_reason();
    return transport_.broken_reason();
  }
  std::vector<Request*> valid;
  valid.reserve(requests.size());
  for (Request* r : requests) {
    Status v = ValidateMessage(r->message);
    if (v.ok()) {
      valid.push_back(r);
    } else {
      r->status = v;  // fails alone, unsent
      r->done = true;
    }
  }

  size_t start = 0;
  while (start < valid.size()) {
    // An exchange ends after kMaxBatch requests, at kMaxBatchBytes, or right after a dump.
    Exchange x;
    size_t end = start;
    size_t bytes = 0;
    while (end < valid.size() && end - start < kMaxBatch) {
      Request* r = valid[end];
      bytes += NLMSG_ALIGN(r->message.size());
      if (end > start && bytes > kMaxBatchBytes) break;
      x.Add(r);
      ++end;
      if (r->expect == Expect::kDump) break;
    }
    Status s = RunExchange(&x, timeout_ms, wait);
    if (!s.ok()) {
      for (size_t i = end; i < valid.size(); ++i) valid[i]->status = s;
      return s;
    }
    start = end;
  }
  return Status();
}

Status Socket::Run(Exchange* exchange, int timeout_ms) {
  if (exchange->started()) return Error{EALREADY, "a netlink exchange was run twice", 0, ""};
  if (broken()) {
    for (Request* r : exchange->requests()) r->status = transport_.broken_reason();
    return transport_.broken_reason();
  }
  return RunExchange(exchange, timeout_ms);
}

Status Socket::RunExchange(Exchange* x, int timeout_ms, DumpWait wait) {
  Status s = SendAndWait(x, timeout_ms);
  if (!s.ok()) return s;
  // A dump the kernel flagged NLM_F_DUMP_INTR may have missed or repeated entries: run it again,
  // alone, with a fresh sequence number, so that late parts of the interrupted run can never be
  // taken for the new one; after a backoff, for a bounded time (RetryInterruptedDump).
  for (Request* r : x->requests()) {
    if (r->expect != Expect::kDump) continue;
    int attempts = 1;
    int64_t started = MonotonicMs();
    while (r->interrupted && r->status.ok()) {
      int64_t elapsed = MonotonicMs() - started;
      int64_t delay = RetryInterruptedDump(attempts, elapsed);
      if (delay > 0 && wait == DumpWait::kStop) {
        ++stats_.dumps_stopped;
        stopped_at_ = r;
        r->status = Error{EWOULDBLOCK, "an interrupted dump must wait before it runs again", 0, ""};
        return r->status;
      }
      if (delay < 0 || (delay > 0 && wait == DumpWait::kGiveUp)) {
        ++stats_.dumps_given_up;
        r->status = Error{EINTR,
                          "the dump was interrupted by concurrent changes " +
                              std::to_string(attempts) + " times in a row over " +
                              std::to_string(elapsed) + " ms (the kernel's list changed " +
                              "between two parts of every run); retry when the changes pause",
                          0, ""};
        break;
      }
      if (delay > 0) {
        ++stats_.dump_waits;
        std::this_thread::sleep_for(std::chrono::milliseconds(delay));
      }
      ++attempts;
      ++stats_.dump_retries;
      if (r->handler) r->handler->OnRestart();
      Exchange again;
      again.Add(r);
      s = SendAndWait(&again, timeout_ms);
      if (!s.ok()) return s;
    }
  }
  return Status();
}

Status Socket::SendAndWait(Exchange* x, int timeout_ms) {
  // A malformed message fails its exchange before anything is sent; the socket is fine.
  if (!engine_.Start(x).ok()) return Status();
  std::vector<iovec> iov;
  iov.reserve(x->size());
  for (Request* r : x->requests()) iov.push_back(iovec{r->message.data(), r->message.size()});
  ++stats_.sendmsg_calls;
  Status sent = transport_.Send(iov.data(), iov.size());
  if (!sent.ok()) return Fail(sent.error());
  return Wait(*x, timeout_ms);
}

Status Socket::Wait(const Exchange& x, int timeout_ms) {
  // One deadline for the whole exchange, started the first time a reply is not there yet: the
  // ACKs of requests the kernel completed inside sendmsg are read without a clock read.
  int64_t deadline = 0;
  uint8_t* buf = ReceiveBuffer();
  while (!x.done()) {
    Sender from;
    Result<size_t> n = transport_.Receive(buf, kReceiveBytes, timeout_ms, &deadline, &from);
    // A timeout with replies outstanding breaks the socket too: a dump may still be running on
    // it, and the kernel would refuse the next one with EBUSY.
    if (!n.ok()) return Fail(n.error());
    Status fed = engine_.Feed(buf, n.value(), from);
    if (!fed.ok()) return Fail(fed.error());
  }
  return Status();
}

}  // namespace netns_native::netlink
