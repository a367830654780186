// One Linux TUN interface (IFF_TUN | IFF_NO_PI) owned by a JS object.
//
// Reading: the non-blocking fd is watched by a uv_poll_t on Node's event loop; each wake-up
// drains up to `limit` packets into slots of a caller-provided buffer and makes ONE call into
// JS with the count. Writing: one call writes a whole batch. The fd, the setup socket and the
// poll handle are released by close(), by the environment's teardown, or by the finalizer.
#pragma once
#include <napi.h>
#include <uv.h>

#include <cstdint>
#include <memory>
#include <string>

class TunDevice : public Napi::ObjectWrap<TunDevice> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit TunDevice(const Napi::CallbackInfo& info);
  ~TunDevice() override;

 private:
  Napi::Value Name(const Napi::CallbackInfo& info);
  Napi::Value Ifindex(const Napi::CallbackInfo& info);
  Napi::Value Fd(const Napi::CallbackInfo& info);
  Napi::Value SetMtu(const Napi::CallbackInfo& info);
  Napi::Value SetUp(const Napi::CallbackInfo& info);
  Napi::Value AddAddress(const Napi::CallbackInfo& info);
  Napi::Value AddRoute(const Napi::CallbackInfo& info);
  Napi::Value StartReading(const Napi::CallbackInfo& info);
  Napi::Value Pause(const Napi::CallbackInfo& info);
  Napi::Value Resume(const Napi::CallbackInfo& info);
  Napi::Value RefHandle(const Napi::CallbackInfo& info);
  Napi::Value UnrefHandle(const Napi::CallbackInfo& info);
  Napi::Value WriteBatch(const Napi::CallbackInfo& info);
  Napi::Value WriteOne(const Napi::CallbackInfo& info);
  Napi::Value Stats(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);

  static void OnReadable(uv_poll_t* handle, int status, int events);
  static void OnEnvironmentTeardown(void* self);
  void DrainAndDeliver(int status);
  bool CheckOpen(Napi::Env env);
  void StartPolling();
  void StopPolling();
  void Release();

  napi_env env_;
  int fd_ = -1;
  int control_fd_ = -1;  // NETLINK_ROUTE socket in the TUN's namespace: ioctls and rtnetlink
  int ifindex_ = 0;
  std::string name_;
  bool cleanup_hook_ = false;

  uv_loop_t* loop_ = nullptr;
  uv_poll_t* poll_ = nullptr;
  bool polling_ = false;
  bool paused_ = true;
  bool referenced_ = true;
  bool strong_ = false;
  bool delivering_ = false;  // inside the JS callback  // a strong reference keeps the object alive while it is polling

  uint8_t* slots_ = nullptr;
  size_t slot_size_ = 0;
  uint32_t* lengths_ = nullptr;
  uint32_t limit_ = 0;
  Napi::ObjectReference slots_ref_;
  Napi::ObjectReference lengths_ref_;
  Napi::FunctionReference callback_;
  std::unique_ptr<Napi::AsyncContext> async_context_;

  double packets_read_ = 0;
  double batches_read_ = 0;
  double oversized_dropped_ = 0;
  double packets_written_ = 0;
  double write_calls_ = 0;
};
