// TunDevice: open/setup via ioctl(2) and rtnetlink, batched reads on a uv_poll_t, batched
// writes. See tun-device.h for the model and README.md for the ownership rules.
#include "tun-device.h"

#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <linux/netlink.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "errno-error.h"
#include "netlink.h"
#include "netns.h"

namespace {

// Offload bits of newer kernels than some userland headers know (Linux 6.2: USO).
#ifndef TUN_F_USO4
#define TUN_F_USO4 0x20
#endif
#ifndef TUN_F_USO6
#define TUN_F_USO6 0x40
#endif

// Room a read needs: the largest IP packet, so that nothing is ever cut.
constexpr size_t kReadRoom = offload::kMaxSuperPacket;
// Batches delivered per wake-up before yielding to the event loop (unless a split is pending).
constexpr uint32_t kMaxRoundsPerWakeup = 8;

void CloseQuietly(int& fd) {
  if (fd >= 0) close(fd);
  fd = -1;
}

void ThrowType(Napi::Env env, const char* message) { Napi::TypeError::New(env, message).ThrowAsJavaScriptException(); }

// A Uint8Array/Uint32Array argument, or nullptr after throwing a TypeError.
template <typename T>
T* TypedData(const Napi::CallbackInfo& info, size_t index, napi_typedarray_type type, size_t* length,
             const char* message) {
  Napi::Value value = info[index];
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != type) {
    ThrowType(info.Env(), message);
    return nullptr;
  }
  Napi::TypedArray array = value.As<Napi::TypedArray>();
  *length = array.ElementLength();
  return reinterpret_cast<T*>(static_cast<uint8_t*>(array.ArrayBuffer().Data()) + array.ByteOffset());
}

}  // namespace

Napi::Function TunDevice::Define(Napi::Env env) {
  return DefineClass(env, "TunDevice",
                     {
                         InstanceMethod<&TunDevice::Name>("name"),
                         InstanceMethod<&TunDevice::Ifindex>("ifindex"),
                         InstanceMethod<&TunDevice::Fd>("fd"),
                         InstanceMethod<&TunDevice::SetMtu>("setMtu"),
                         InstanceMethod<&TunDevice::SetUp>("setUp"),
                         InstanceMethod<&TunDevice::AddAddress>("addAddress"),
                         InstanceMethod<&TunDevice::AddRoute>("addRoute"),
                         InstanceMethod<&TunDevice::StartReading>("startReading"),
                         InstanceMethod<&TunDevice::Pause>("pause"),
                         InstanceMethod<&TunDevice::Resume>("resume"),
                         InstanceMethod<&TunDevice::RefHandle>("ref"),
                         InstanceMethod<&TunDevice::UnrefHandle>("unref"),
                         InstanceMethod<&TunDevice::WriteBatch>("writeBatch"),
                         InstanceMethod<&TunDevice::WriteOne>("write"),
                         InstanceMethod<&TunDevice::Stats>("stats"),
                         InstanceMethod<&TunDevice::Offloads>("offloads"),
                         InstanceMethod<&TunDevice::Close>("close"),
                     });
}

// new TunDevice(name: string, netnsPath: string, offload: boolean): opens the TUN, throws an
// errno error. With `offload`, IFF_VNET_HDR and as many of TSO4/TSO6/USO4/USO6 + CSUM as the
// kernel grants (none at all is a clean fallback: plain packets behind a zero header).
TunDevice::TunDevice(const Napi::CallbackInfo& info) : Napi::ObjectWrap<TunDevice>(info), env_(info.Env()) {
  Napi::Env env = info.Env();
  if (!info[0].IsString() || !info[1].IsString()) {
    ThrowType(env, "TunDevice(name: string, netnsPath: string)");
    return;
  }
  std::string requested = info[0].As<Napi::String>().Utf8Value();
  std::string netns = info[1].As<Napi::String>().Utf8Value();
  if (requested.size() >= IFNAMSIZ) {
    ErrnoError(env, EINVAL, "TUNSETIFF", "(interface name longer than 15 bytes)").ThrowAsJavaScriptException();
    return;
  }

  const char* syscall = "";
  int err = 0;
  {
    NetnsScope scope;
    err = scope.Enter(netns, &syscall);
    if (err == 0) {
      fd_ = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
      if (fd_ < 0) {
        err = errno;
        syscall = "open";
      }
    }
    ifreq request{};
    if (err == 0) {
      bool want_vnet = info[2].ToBoolean().Value();
      request.ifr_flags = IFF_TUN | IFF_NO_PI | (want_vnet ? IFF_VNET_HDR : 0);
      std::strncpy(request.ifr_name, requested.c_str(), IFNAMSIZ - 1);
      if (ioctl(fd_, TUNSETIFF, &request) < 0) {
        err = errno;
        if (want_vnet && err == EINVAL) {
          request.ifr_flags = IFF_TUN | IFF_NO_PI;  // a kernel without IFF_VNET_HDR: no offloads
          want_vnet = false;
          err = ioctl(fd_, TUNSETIFF, &request) < 0 ? errno : 0;
        }
      }
      if (err == 0 && want_vnet) {
        vnet_ = true;
        // USO needs Linux 6.2; TSO and CSUM are old. Ask for the most, then less.
        const unsigned wanted[] = {TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_USO4 | TUN_F_USO6,
                                   TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6, TUN_F_CSUM};
        for (unsigned flags : wanted) {
          if (ioctl(fd_, TUNSETOFFLOAD, flags) == 0) {
            offloads_ = flags;
            break;
          }
        }
      }
      if (err != 0) syscall = "TUNSETIFF";
    }
    if (err == 0) {
      control_fd_ = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
      if (control_fd_ < 0) {
        err = errno;
        syscall = "socket";
      }
    }
    if (err == 0) {
      timeval timeout{5, 0};
      setsockopt(control_fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
      if (ioctl(control_fd_, SIOCGIFINDEX, &request) < 0) {
        err = errno;
        syscall = "SIOCGIFINDEX";
      } else {
        ifindex_ = request.ifr_ifindex;
        name_ = request.ifr_name;
      }
    }
  }
  if (err != 0) {
    CloseQuietly(fd_);
    CloseQuietly(control_fd_);
    std::string detail = std::string("(") + (netns.empty() ? "" : netns + " ") + "/dev/net/tun " + requested + ")";
    ErrnoError(env, err, syscall, detail).ThrowAsJavaScriptException();
    return;
  }
  napi_add_env_cleanup_hook(env_, OnEnvironmentTeardown, this);
  cleanup_hook_ = true;
}

TunDevice::~TunDevice() {
  // Last resort when close() was never called: release the fd without touching JS.
  Release();
  if (cleanup_hook_) napi_remove_env_cleanup_hook(env_, OnEnvironmentTeardown, this);
  cleanup_hook_ = false;
}

void TunDevice::OnEnvironmentTeardown(void* self) {
  TunDevice* device = static_cast<TunDevice*>(self);
  device->cleanup_hook_ = false;
  device->Release();
}

// Stops polling and closes the handle and both descriptors. Idempotent; no JS involved.
void TunDevice::Release() {
  if (poll_ != nullptr) {
    if (polling_) uv_poll_stop(poll_);
    uv_close(reinterpret_cast<uv_handle_t*>(poll_), [](uv_handle_t* handle) {
      delete reinterpret_cast<uv_poll_t*>(handle);
    });
    poll_ = nullptr;
  }
  polling_ = false;
  paused_ = true;
  CloseQuietly(fd_);
  CloseQuietly(control_fd_);
}

bool TunDevice::CheckOpen(Napi::Env env) {
  if (fd_ >= 0) return true;
  ErrnoError(env, EBADF, "use", "(the TUN is closed)").ThrowAsJavaScriptException();
  return false;
}

Napi::Value TunDevice::Name(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), name_); }
Napi::Value TunDevice::Ifindex(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), ifindex_); }
Napi::Value TunDevice::Fd(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), fd_); }

Napi::Value TunDevice::SetMtu(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckOpen(env)) return env.Undefined();
  ifreq request{};
  std::strncpy(request.ifr_name, name_.c_str(), IFNAMSIZ - 1);
  request.ifr_mtu = info[0].As<Napi::Number>().Int32Value();
  if (ioctl(control_fd_, SIOCSIFMTU, &request) < 0) {
    ErrnoError(env, errno, "SIOCSIFMTU", "(" + name_ + ")").ThrowAsJavaScriptException();
  }
  return env.Undefined();
}

Napi::Value TunDevice::SetUp(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckOpen(env)) return env.Undefined();
  ifreq request{};
  std::strncpy(request.ifr_name, name_.c_str(), IFNAMSIZ - 1);
  if (ioctl(control_fd_, SIOCGIFFLAGS, &request) < 0) {
    ErrnoError(env, errno, "SIOCGIFFLAGS", "(" + name_ + ")").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (info[0].ToBoolean().Value()) {
    request.ifr_flags |= IFF_UP;
  } else {
    request.ifr_flags &= ~IFF_UP;
  }
  if (ioctl(control_fd_, SIOCSIFFLAGS, &request) < 0) {
    ErrnoError(env, errno, "SIOCSIFFLAGS", "(" + name_ + ")").ThrowAsJavaScriptException();
  }
  return env.Undefined();
}

// addAddress(family: 4 | 6, address: Uint8Array, prefixLength: number)
Napi::Value TunDevice::AddAddress(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckOpen(env)) return env.Undefined();
  size_t length = 0;
  const uint8_t* address = TypedData<uint8_t>(info, 1, napi_uint8_array, &length, "address must be a Uint8Array");
  if (address == nullptr) return env.Undefined();
  int family = info[0].As<Napi::Number>().Int32Value() == 6 ? AF_INET6 : AF_INET;
  if (length != (family == AF_INET6 ? 16u : 4u)) {
    ThrowType(env, "address length does not match the family");
    return env.Undefined();
  }
  int err = NetlinkAddAddress(control_fd_, ifindex_, family, address, info[2].As<Napi::Number>().Int32Value());
  if (err != 0) ErrnoError(env, err, "RTM_NEWADDR", "(" + name_ + ")").ThrowAsJavaScriptException();
  return env.Undefined();
}

// addRoute(family: 4 | 6, destination: Uint8Array, prefixLength: number)
Napi::Value TunDevice::AddRoute(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckOpen(env)) return env.Undefined();
  size_t length = 0;
  const uint8_t* destination =
      TypedData<uint8_t>(info, 1, napi_uint8_array, &length, "destination must be a Uint8Array");
  if (destination == nullptr) return env.Undefined();
  int family = info[0].As<Napi::Number>().Int32Value() == 6 ? AF_INET6 : AF_INET;
  if (length != (family == AF_INET6 ? 16u : 4u)) {
    ThrowType(env, "destination length does not match the family");
    return env.Undefined();
  }
  int err = NetlinkAddRoute(control_fd_, ifindex_, family, destination, info[2].As<Napi::Number>().Int32Value());
  if (err != 0) ErrnoError(env, err, "RTM_NEWROUTE", "(" + name_ + ")").ThrowAsJavaScriptException();
  return env.Undefined();
}

// startReading(buffer: Uint8Array, offsets: Uint32Array, lengths: Uint32Array, limit: number,
//              callback: (count: number, errno: number) => void)
// Packet i of a batch is buffer[offsets[i], offsets[i] + lengths[i]). The buffer must hold at
// least 64 KiB (a read needs that much room). Starts unpaused.
Napi::Value TunDevice::StartReading(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckOpen(env)) return env.Undefined();
  if (poll_ != nullptr) {
    ThrowType(env, "startReading() was already called");
    return env.Undefined();
  }
  size_t buffer_length = 0;
  size_t offsets_length = 0;
  size_t lengths_length = 0;
  uint8_t* buffer = TypedData<uint8_t>(info, 0, napi_uint8_array, &buffer_length, "buffer must be a Uint8Array");
  if (buffer == nullptr) return env.Undefined();
  uint32_t* offsets =
      TypedData<uint32_t>(info, 1, napi_uint32_array, &offsets_length, "offsets must be a Uint32Array");
  if (offsets == nullptr) return env.Undefined();
  uint32_t* lengths =
      TypedData<uint32_t>(info, 2, napi_uint32_array, &lengths_length, "lengths must be a Uint32Array");
  if (lengths == nullptr) return env.Undefined();
  if (!info[3].IsNumber() || !info[4].IsFunction()) {
    ThrowType(env, "startReading(buffer, offsets, lengths, limit, callback)");
    return env.Undefined();
  }
  uint32_t limit = info[3].As<Napi::Number>().Uint32Value();
  if (limit == 0 || offsets_length < limit || lengths_length < limit || buffer_length < kReadRoom) {
    ThrowType(env, "buffer must hold 65535 bytes, offsets and lengths limit entries");
    return env.Undefined();
  }
  buffer_ = buffer;
  buffer_size_ = buffer_length;
  offsets_ = offsets;
  lengths_ = lengths;
  limit_ = limit;
  if (vnet_) pending_.assign(kReadRoom, 0);
  buffer_ref_ = Napi::Persistent(info[0].As<Napi::Object>());
  offsets_ref_ = Napi::Persistent(info[1].As<Napi::Object>());
  lengths_ref_ = Napi::Persistent(info[2].As<Napi::Object>());
  callback_ = Napi::Persistent(info[4].As<Napi::Function>());
  async_context_ = std::make_unique<Napi::AsyncContext>(env, "PathwireTunRead", Value());

  napi_get_uv_event_loop(env, &loop_);
  poll_ = new uv_poll_t;
  int status = uv_poll_init(loop_, poll_, fd_);
  if (status < 0) {
    delete poll_;
    poll_ = nullptr;
    ErrnoError(env, -status, "uv_poll_init").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  poll_->data = this;
  if (!referenced_) uv_unref(reinterpret_cast<uv_handle_t*>(poll_));
  paused_ = false;
  StartPolling();
  return env.Undefined();
}

// Polls for readability, and also for writability (always true for a TUN, so: at once) while
// segments of a split super-packet still wait for delivery.
void TunDevice::StartPolling() {
  if (poll_ == nullptr || paused_) return;
  int events = UV_READABLE | (pending_active_ ? UV_WRITABLE : 0);
  if (polling_ && events == poll_events_) return;
  uv_poll_start(poll_, events, OnReadable);
  poll_events_ = events;
  polling_ = true;
  if (!strong_) {
    Ref();
    strong_ = true;
  }
}

void TunDevice::StopPolling() {
  if (polling_ && poll_ != nullptr) uv_poll_stop(poll_);
  polling_ = false;
  poll_events_ = 0;
  if (strong_) {
    strong_ = false;
    Unref();
  }
}

Napi::Value TunDevice::Pause(const Napi::CallbackInfo& info) {
  paused_ = true;
  StopPolling();
  return info.Env().Undefined();
}

Napi::Value TunDevice::Resume(const Napi::CallbackInfo& info) {
  if (fd_ >= 0 && poll_ != nullptr) {
    paused_ = false;
    StartPolling();
  }
  return info.Env().Undefined();
}

Napi::Value TunDevice::RefHandle(const Napi::CallbackInfo& info) {
  referenced_ = true;
  if (poll_ != nullptr) uv_ref(reinterpret_cast<uv_handle_t*>(poll_));
  return info.Env().Undefined();
}

Napi::Value TunDevice::UnrefHandle(const Napi::CallbackInfo& info) {
  referenced_ = false;
  if (poll_ != nullptr) uv_unref(reinterpret_cast<uv_handle_t*>(poll_));
  return info.Env().Undefined();
}

void TunDevice::OnReadable(uv_poll_t* handle, int status, int events) {
  static_cast<TunDevice*>(handle->data)->DrainAndDeliver(status);
}

// Appends segments of the pending super-packet to the batch; false when the batch is full first.
bool TunDevice::EmitPending(uint32_t* count, size_t* used) {
  const offload::SuperPacket& shape = pending_shape_;
  while (pending_next_ < shape.segments) {
    size_t start = shape.header_length + static_cast<size_t>(pending_next_) * shape.segment_payload;
    size_t length = shape.header_length + std::min<size_t>(shape.segment_payload, pending_length_ - start);
    if (*count >= limit_ || buffer_size_ - *used < length) return false;
    uint32_t written = offload::SplitSegment(pending_.data(), pending_length_, shape, pending_next_, buffer_ + *used);
    offsets_[*count] = static_cast<uint32_t>(*used);
    lengths_[*count] = written;
    *used += written;
    (*count)++;
    pending_next_++;
  }
  pending_active_ = false;
  return true;
}

// Takes the packet just read at buffer_ + *used (with its virtio_net_hdr in vnet_header_):
// completes a partial checksum, or moves a super-packet aside and splits it. False when the
// batch is full.
bool TunDevice::TakePacket(uint8_t* packet, size_t length, uint32_t* count, size_t* used) {
  offload::VnetHeader header;
  offload::ReadVnetHeader(vnet_header_, &header);
  if (header.gso_type == offload::kGsoNone) {
    if ((header.flags & offload::kNeedsChecksum) != 0 &&
        !offload::CompletePartialChecksum(packet, length, header.csum_start, header.csum_offset)) {
      malformed_dropped_++;
      return true;
    }
    offsets_[*count] = static_cast<uint32_t>(*used);
    lengths_[*count] = static_cast<uint32_t>(length);
    *used += length;
    (*count)++;
    return true;
  }
  if (!offload::ParseSuperPacket(packet, length, header, &pending_shape_)) {
    malformed_dropped_++;
    return true;
  }
  std::memcpy(pending_.data(), packet, length);  // the segments overwrite where it was read
  pending_length_ = length;
  pending_next_ = 0;
  pending_active_ = true;
  super_packets_read_++;
  return EmitPending(count, used);
}

// Reads into the batch until EAGAIN, `limit` packets, or less than 64 KiB of room.
uint32_t TunDevice::FillBatch(int* err) {
  uint32_t count = 0;
  size_t used = 0;
  if (pending_active_ && !EmitPending(&count, &used)) return count;
  while (count < limit_ && buffer_size_ - used >= kReadRoom) {
    uint8_t* at = buffer_ + used;
    ssize_t n;
    if (vnet_) {
      iovec parts[2] = {{vnet_header_, offload::kVnetHeaderLength}, {at, kReadRoom}};
      n = readv(fd_, parts, 2);
    } else {
      n = read(fd_, at, kReadRoom);
    }
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN) *err = errno;
      break;
    }
    size_t length = static_cast<size_t>(n);
    if (vnet_) {
      if (length < offload::kVnetHeaderLength) {
        malformed_dropped_++;
        continue;
      }
      length -= offload::kVnetHeaderLength;
    }
    // The kernel reports a packet's full length even when it cut the copy.
    if (length > kReadRoom) {
      oversized_dropped_++;
      continue;
    }
    if (length == 0) continue;
    if (!vnet_) {
      offsets_[count] = static_cast<uint32_t>(used);
      lengths_[count++] = static_cast<uint32_t>(length);
      used += length;
      continue;
    }
    if (!TakePacket(at, length, &count, &used)) break;
  }
  return count;
}

// One wake-up: batches until the TUN is drained (at most kMaxRoundsPerWakeup, more only to
// finish a split super-packet), one call into JS each.
void TunDevice::DrainAndDeliver(int status) {
  for (uint32_t round = 0; fd_ >= 0 && !paused_; round++) {
    if (round >= kMaxRoundsPerWakeup && !pending_active_) break;
    int err = status < 0 ? -status : 0;
    status = 0;
    uint32_t count = err == 0 ? FillBatch(&err) : 0;
    if (count == 0 && err == 0) break;
    packets_read_ += count;
    batches_read_++;
    bool full = count == limit_ || pending_active_ || buffer_size_ - (count > 0 ? offsets_[count - 1] + lengths_[count - 1] : 0) < kReadRoom;
    if (err != 0) {
      paused_ = true;
      StopPolling();
    }

    Napi::Env env(env_);
    Napi::HandleScope scope(env);
    // Keep the object alive across the call even if JS drops it and polling has stopped.
    Napi::Object self = Value();
    napi_value args[2] = {Napi::Number::New(env, count), Napi::Number::New(env, err)};
    // The callback's return value is not used: JS pauses by calling pause() from inside it, since
    // microtasks run before MakeCallback returns and may already have resumed reading.
    napi_value result = nullptr;
    delivering_ = true;
    napi_status status_of_call = napi_make_callback(env, static_cast<napi_async_context>(*async_context_), self,
                                                    callback_.Value(), 2, args, &result);
    delivering_ = false;
    if (status_of_call != napi_ok) {
      bool pending = false;
      napi_is_exception_pending(env, &pending);
      if (!pending) {
        // JS cannot run any more (the environment is being torn down): stop for good.
        Release();
        return;
      }
      napi_value exception = nullptr;
      napi_get_and_clear_last_exception(env, &exception);
      napi_fatal_exception(env, exception);  // like a throwing event listener: 'uncaughtException'
    }
    if (fd_ < 0) {  // closed inside the callback
      async_context_.reset();
      return;
    }
    if (err != 0 || !full) break;
  }
  // Poll for writability too while a split is pending (it then resumes at once), else not.
  if (polling_ && !paused_) StartPolling();
}

// writev(2) of one packet behind a zero virtio_net_hdr (vnet_), or write(2). 0 or an errno.
int TunDevice::WritePlain(const uint8_t* packet, size_t length) {
  static const uint8_t kZeroHeader[offload::kVnetHeaderLength] = {};
  for (;;) {
    ssize_t n;
    if (vnet_) {
      iovec parts[2] = {{const_cast<uint8_t*>(kZeroHeader), offload::kVnetHeaderLength},
                        {const_cast<uint8_t*>(packet), length}};
      n = writev(fd_, parts, 2);
    } else {
      n = write(fd_, packet, length);
    }
    if (n >= 0) return 0;
    if (errno != EINTR) return errno;
  }
}

// Writes the batch as the coalescer grouped it; `written` counts packets. 0, or the errno of
// the first packet the kernel refused (EAGAIN/ENOBUFS included: the caller stops there).
int TunDevice::WriteUnits(const uint8_t* buffer, const uint32_t* offsets, const uint32_t* lengths, uint32_t count,
                          uint32_t* written) {
  coalescer_.Plan(buffer, offsets, lengths, count);
  for (const offload::WriteUnit& unit : coalescer_.units) {
    int err = 0;
    if (unit.count == 1) {
      err = WritePlain(buffer + offsets[unit.first], lengths[unit.first]);
      if (err != 0) {
        last_failed_ = unit.first;
        return err;
      }
      (*written)++;
      continue;
    }
    uint8_t vnet[offload::kVnetHeaderLength];
    uint8_t headers[offload::kMaxHeaders];
    uint32_t header_length =
        coalescer_.BuildSuperHeader(unit, buffer, offsets, lengths, vnet, headers);
    write_iov_.clear();
    write_iov_.push_back({vnet, offload::kVnetHeaderLength});
    write_iov_.push_back({headers, header_length});
    for (uint32_t k = unit.first; k != offload::kNoPacket; k = coalescer_.next[k]) {
      write_iov_.push_back({const_cast<uint8_t*>(buffer + offsets[k] + header_length), lengths[k] - header_length});
    }
    for (;;) {
      ssize_t n = writev(fd_, write_iov_.data(), static_cast<int>(write_iov_.size()));
      err = n >= 0 ? 0 : errno;
      if (err != EINTR) break;
    }
    if (err == 0) {
      super_packets_written_++;
      *written += unit.count;
      continue;
    }
    if (err == EAGAIN || err == ENOBUFS) {
      last_failed_ = unit.first;
      return err;
    }
    // The kernel refused the super-packet (EINVAL: no GSO for it): its segments one by one.
    coalesce_refused_++;
    for (uint32_t k = unit.first; k != offload::kNoPacket; k = coalescer_.next[k]) {
      err = WritePlain(buffer + offsets[k], lengths[k]);
      if (err != 0) {
        last_failed_ = k;
        return err;
      }
      (*written)++;
    }
  }
  return 0;
}

// writeBatch(buffer: Uint8Array, offsets: Uint32Array, lengths: Uint32Array, count: number,
//            maxLength: number) => number of packets written. Stops early (returning fewer)
// when the kernel says EAGAIN/ENOBUFS; throws on other errors with `written` set. With
// offloads, consecutive TCP segments of one connection leave as one super-packet.
Napi::Value TunDevice::WriteBatch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckOpen(env)) return env.Undefined();
  size_t buffer_length = 0;
  size_t offsets_length = 0;
  size_t lengths_length = 0;
  const uint8_t* buffer = TypedData<uint8_t>(info, 0, napi_uint8_array, &buffer_length, "buffer must be a Uint8Array");
  if (buffer == nullptr) return env.Undefined();
  const uint32_t* offsets =
      TypedData<uint32_t>(info, 1, napi_uint32_array, &offsets_length, "offsets must be a Uint32Array");
  if (offsets == nullptr) return env.Undefined();
  const uint32_t* lengths =
      TypedData<uint32_t>(info, 2, napi_uint32_array, &lengths_length, "lengths must be a Uint32Array");
  if (lengths == nullptr) return env.Undefined();
  uint32_t count = info[3].As<Napi::Number>().Uint32Value();
  uint32_t max_length = info[4].As<Napi::Number>().Uint32Value();
  if (count > offsets_length || count > lengths_length) {
    ThrowType(env, "count exceeds offsets or lengths");
    return env.Undefined();
  }
  // Validate the whole batch before writing any of it.
  for (uint32_t i = 0; i < count; i++) {
    if (static_cast<size_t>(offsets[i]) + lengths[i] > buffer_length) {
      Napi::RangeError error = Napi::RangeError::New(env, "packet " + std::to_string(i) + " lies outside the buffer");
      error.Set("index", Napi::Number::New(env, i));
      error.ThrowAsJavaScriptException();
      return env.Undefined();
    }
    if (lengths[i] > max_length || lengths[i] == 0) {
      Napi::Error error = ErrnoError(env, lengths[i] == 0 ? EINVAL : EMSGSIZE, "write",
                                     "(packet " + std::to_string(i) + " is " + std::to_string(lengths[i]) + " bytes)");
      error.Set("index", Napi::Number::New(env, i));
      error.Set("length", Napi::Number::New(env, lengths[i]));
      error.ThrowAsJavaScriptException();
      return env.Undefined();
    }
  }
  write_calls_++;
  uint32_t written = 0;
  int err = 0;
  if (vnet_) {
    err = WriteUnits(buffer, offsets, lengths, count, &written);
  } else {
    while (written < count) {
      err = WritePlain(buffer + offsets[written], lengths[written]);
      if (err != 0) {
        last_failed_ = written;
        break;
      }
      written++;
    }
  }
  packets_written_ += written;
  if (err != 0 && err != EAGAIN && err != ENOBUFS) {
    Napi::Error error = ErrnoError(env, err, "write", "(packet " + std::to_string(last_failed_) + ")");
    error.Set("index", Napi::Number::New(env, last_failed_));
    error.Set("written", Napi::Number::New(env, written));
    error.ThrowAsJavaScriptException();
    return env.Undefined();
  }
  return Napi::Number::New(env, written);
}

// write(buffer: Uint8Array, maxLength: number) => boolean (false on EAGAIN/ENOBUFS)
Napi::Value TunDevice::WriteOne(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckOpen(env)) return env.Undefined();
  size_t length = 0;
  const uint8_t* buffer = TypedData<uint8_t>(info, 0, napi_uint8_array, &length, "packet must be a Uint8Array");
  if (buffer == nullptr) return env.Undefined();
  uint32_t max_length = info[1].As<Napi::Number>().Uint32Value();
  if (length > max_length || length == 0) {
    Napi::Error error = ErrnoError(env, length == 0 ? EINVAL : EMSGSIZE, "write",
                                   "(packet 0 is " + std::to_string(length) + " bytes)");
    error.Set("index", Napi::Number::New(env, 0));
    error.Set("length", Napi::Number::New(env, static_cast<double>(length)));
    error.ThrowAsJavaScriptException();
    return env.Undefined();
  }
  write_calls_++;
  int err = WritePlain(buffer, length);
  if (err == EAGAIN || err == ENOBUFS) return Napi::Boolean::New(env, false);
  if (err != 0) {
    Napi::Error error = ErrnoError(env, err, "write", "(packet 0)");
    error.Set("index", Napi::Number::New(env, 0));
    error.Set("written", Napi::Number::New(env, 0));
    error.ThrowAsJavaScriptException();
    return env.Undefined();
  }
  packets_written_++;
  return Napi::Boolean::New(env, true);
}

Napi::Value TunDevice::Stats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object stats = Napi::Object::New(env);
  stats.Set("packetsRead", packets_read_);
  stats.Set("batchesRead", batches_read_);
  stats.Set("oversizedDropped", oversized_dropped_);
  stats.Set("malformedDropped", malformed_dropped_);
  stats.Set("superPacketsRead", super_packets_read_);
  stats.Set("packetsWritten", packets_written_);
  stats.Set("writeCalls", write_calls_);
  stats.Set("superPacketsWritten", super_packets_written_);
  stats.Set("coalesceRefused", coalesce_refused_);
  return stats;
}

// offloads() => { vnetHeader, checksum, tso4, tso6, uso4, uso6 }: what the kernel granted.
Napi::Value TunDevice::Offloads(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object result = Napi::Object::New(env);
  result.Set("vnetHeader", vnet_);
  result.Set("checksum", (offloads_ & TUN_F_CSUM) != 0);
  result.Set("tso4", (offloads_ & TUN_F_TSO4) != 0);
  result.Set("tso6", (offloads_ & TUN_F_TSO6) != 0);
  result.Set("uso4", (offloads_ & TUN_F_USO4) != 0);
  result.Set("uso6", (offloads_ & TUN_F_USO6) != 0);
  return result;
}

// Idempotent. After it returns no callback runs; the interface disappears with its last fd.
Napi::Value TunDevice::Close(const Napi::CallbackInfo& info) {
  paused_ = true;
  StopPolling();
  Release();
  callback_.Reset();
  buffer_ref_.Reset();
  offsets_ref_.Reset();
  lengths_ref_.Reset();
  if (!delivering_) async_context_.reset();  // else after the callback returns
  buffer_ = nullptr;
  offsets_ = nullptr;
  lengths_ = nullptr;
  pending_active_ = false;
  if (cleanup_hook_) napi_remove_env_cleanup_hook(env_, OnEnvironmentTeardown, this);
  cleanup_hook_ = false;
  return info.Env().Undefined();
}
