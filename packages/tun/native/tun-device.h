// One Linux TUN interface (IFF_TUN | IFF_NO_PI, and IFF_VNET_HDR with offloads) owned by a JS
// object.
//
// Reading: the non-blocking fd is watched by a uv_poll_t on Node's event loop; each wake-up
// drains up to `limit` packets, packed one after the other into a caller-provided buffer
// (offsets and lengths say where), and makes ONE call into JS with the count. A read is only
// attempted while 64 KiB are free, so no packet is ever cut, whatever the MTU. With offloads
// (offload.h) a TCP/UDP super-packet is split into its segments; segments that do not fit the
// batch wait for the next one. Writing: one call writes a whole batch; with offloads,
// consecutive TCP segments of one connection leave as one super-packet. The fd, the setup socket and the
// poll handle are released by close(), by the environment's teardown, or by the finalizer.
#pragma once
#include <napi.h>
#include <sys/uio.h>
#include <uv.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "offload.h"

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
  Napi::Value Offloads(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);

  static void OnReadable(uv_poll_t* handle, int status, int events);
  static void OnEnvironmentTeardown(void* self);
  void DrainAndDeliver(int status);
  uint32_t FillBatch(int* err);
  bool TakePacket(uint8_t* packet, size_t length, uint32_t* count, size_t* used);
  bool EmitPending(uint32_t* count, size_t* used);
  int WriteUnits(const uint8_t* buffer, const uint32_t* offsets, const uint32_t* lengths, uint32_t count,
                 uint32_t* written);
  int WritePlain(const uint8_t* packet, size_t length);
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

  // Offloads granted by TUNSETOFFLOAD (TUN_F_* bits); vnet_ when IFF_VNET_HDR is on.
  bool vnet_ = false;
  unsigned offloads_ = 0;

  uint8_t* buffer_ = nullptr;
  size_t buffer_size_ = 0;
  uint32_t* offsets_ = nullptr;
  uint32_t* lengths_ = nullptr;
  uint32_t limit_ = 0;
  Napi::ObjectReference buffer_ref_;
  Napi::ObjectReference offsets_ref_;
  Napi::ObjectReference lengths_ref_;
  // A super-packet being split across batches: its bytes, its shape, the next segment.
  std::vector<uint8_t> pending_;
  size_t pending_length_ = 0;
  offload::SuperPacket pending_shape_;
  uint32_t pending_next_ = 0;
  bool pending_active_ = false;
  uint8_t vnet_header_[offload::kVnetHeaderLength] = {};
  offload::Coalescer coalescer_;
  std::vector<iovec> write_iov_;
  uint32_t last_failed_ = 0;  // packet index of the last write error
  int poll_events_ = 0;
  Napi::FunctionReference callback_;
  std::unique_ptr<Napi::AsyncContext> async_context_;

  double packets_read_ = 0;
  double batches_read_ = 0;
  double oversized_dropped_ = 0;
  double malformed_dropped_ = 0;
  double super_packets_read_ = 0;
  double super_packets_written_ = 0;
  double coalesce_refused_ = 0;
  double packets_written_ = 0;
  double write_calls_ = 0;
};
