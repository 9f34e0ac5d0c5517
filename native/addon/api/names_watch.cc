// NamesWatchHandle: a names watch (ns/names_watch.h) on /run/netns, opened on a pool thread,
// then read on the JS thread from a uv_poll on its inotify fd, as MonitorSocket reads its
// socket: no thread per watch. Each time the fd becomes readable, what is queued is handed to
// JavaScript as one array of {event, name?}: 'add' / 'delete' NAME, 'overflow' (events were
// lost), 'end' (the directory went; the last one).
#include "../../ns/names_watch.h"
#include "../convert/convert.h"
#include "../state.h"
#include "api.h"
#include "loop_watch.h"

namespace netns_native::addon {

namespace {

class NamesWatchHandle : public Napi::ObjectWrap<NamesWatchHandle> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "NamesWatch",
                       {InstanceMethod<&NamesWatchHandle::Watch>("watch"),
                        InstanceMethod<&NamesWatchHandle::UnrefLoop>("unref"),
                        InstanceMethod<&NamesWatchHandle::Close>("close")});
  }

  // new NamesWatch(external): only from OpenJob below, which hands over the watch.
  explicit NamesWatchHandle(const Napi::CallbackInfo& info)
      : Napi::ObjectWrap<NamesWatchHandle>(info) {
    auto* box = info[0].As<Napi::External<std::unique_ptr<ns::NamesWatch>>>().Data();
    watch_ = std::move(*box);
  }
  // Finalized only when not watching (watching holds a reference), or at environment teardown;
  // loop_watch_ stops itself then.

 private:
  // watch(onEvents): calls onEvents(events) on the event loop until close(), or until an
  // 'end' event (or `error`, set on the array when read(2) failed) stops it: close() it then.
  Napi::Value Watch(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!watch_ || loop_watch_.watching()) return env.Undefined();
    loop_watch_.Start(env, watch_->fd(), info[0].As<Napi::Function>(), "netns-native:names-watch",
                      [this](int) { OnReadable(); });
    Ref();  // stay alive while the loop may call us; released by close()
    referenced_ = true;
    return env.Undefined();
  }

  // On the JS thread, from the loop. The callback may call close().
  void OnReadable() {
    Napi::Env env = Env();
    Napi::HandleScope scope(env);
    std::vector<ns::NameEvent> events;
    bool ended = false;
    Status read = watch_->Read(&events, &ended);
    if (events.empty() && read.ok() && !ended) return;
    Napi::Array out = Napi::Array::New(env, events.size());
    for (size_t i = 0; i < events.size(); ++i) {
      const ns::NameEvent& e = events[i];
      Napi::Object o = Napi::Object::New(env);
      switch (e.kind) {
        case ns::NameEvent::Kind::kCreated:
          o.Set("event", "add");
          o.Set("name", e.name);
          break;
        case ns::NameEvent::Kind::kDeleted:
          o.Set("event", "delete");
          o.Set("name", e.name);
          break;
        case ns::NameEvent::Kind::kOverflow:
          o.Set("event", "overflow");
          break;
        case ns::NameEvent::Kind::kEnded:
          o.Set("event", "end");
          break;
      }
      out.Set(static_cast<uint32_t>(i), o);
    }
    if (!read.ok()) out.Set("error", FailureToJs(env, read.error()));
    if (!read.ok() || ended) loop_watch_.Pause();  // nothing more will come
    loop_watch_.Deliver(Value(), {out});
  }

  // unref(): after watch(), the watch no longer keeps the event loop (the process) alive.
  Napi::Value UnrefLoop(const Napi::CallbackInfo& info) {
    loop_watch_.Unref();
    return info.Env().Undefined();
  }

  // close(): stops watching and closes the inotify fd at once. Idempotent.
  Napi::Value Close(const Napi::CallbackInfo& info) {
    loop_watch_.Stop();
    watch_.reset();
    if (referenced_) {
      referenced_ = false;
      Unref();
    }
    return info.Env().Undefined();
  }

  std::unique_ptr<ns::NamesWatch> watch_;
  LoopWatch loop_watch_;  // after watch_: destroyed (stopped) before the fd closes
  bool referenced_ = false;
};

class OpenJob : public Job {
 public:
  explicit OpenJob(std::string dir) : dir_(std::move(dir)) {}

  // On a pool thread: it opens a path.
  void Execute() override { result_ = ns::NamesWatch::Open(dir_); }

  Napi::Value Complete(Napi::Env env) override {
    if (!result_.ok()) throw ToJsError(env, result_.error());
    // Handed over through an External the constructor empties; finalized with the box.
    auto* box = new std::unique_ptr<ns::NamesWatch>(result_.take());
    auto ext = Napi::External<std::unique_ptr<ns::NamesWatch>>::New(
        env, box, [](Napi::Env, std::unique_ptr<ns::NamesWatch>* b) { delete b; });
    return State(env).names_watch_class.New({ext});
  }

 private:
  std::string dir_;
  Result<std::unique_ptr<ns::NamesWatch>> result_ = Error{};
};

// openNamesWatch(dir): Promise<NamesWatch>.
Napi::Value OpenNamesWatch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsString()) ThrowInternal(env, "openNamesWatch: dir must be a string");
  return State(env).OnWorker(env, std::make_unique<OpenJob>(info[0].As<Napi::String>()));
}

}  // namespace

void InitNamesWatchApi(Napi::Env env, Napi::Object exports) {
  Napi::Function cls = NamesWatchHandle::Define(env);
  State(env).names_watch_class = Napi::Persistent(cls);
  exports.Set("openNamesWatch", Napi::Function::New(env, OpenNamesWatch, "openNamesWatch"));
}

}  // namespace netns_native::addon
