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
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "errno-error.h"
#include "netlink.h"
#include "netns.h"

namespace {

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
                         InstanceMethod<&TunDevice::Close>("close"),
                     });
}

// new TunDevice(name: string, netnsPath: string): opens the TUN, throws an errno error.
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
      request.ifr_flags = IFF_TUN | IFF_NO_PI;
      std::strncpy(request.ifr_name, requested.c_str(), IFNAMSIZ - 1);
      if (ioctl(fd_, TUNSETIFF, &request) < 0) {
        err = errno;
        syscall = "TUNSETIFF";
      }
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

// startReading(slots: Uint8Array, slotSize: number, lengths: Uint32Array, limit: number,
//              callback: (count: number, errno: number) => boolean | undefined)
// Packet i of a batch is at slots[i * slotSize], lengths[i] bytes long. Starts unpaused.
Napi::Value TunDevice::StartReading(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckOpen(env)) return env.Undefined();
  if (poll_ != nullptr) {
    ThrowType(env, "startReading() was already called");
    return env.Undefined();
  }
  size_t slots_length = 0;
  size_t lengths_length = 0;
  uint8_t* slots = TypedData<uint8_t>(info, 0, napi_uint8_array, &slots_length, "slots must be a Uint8Array");
  if (slots == nullptr) return env.Undefined();
  uint32_t* lengths =
      TypedData<uint32_t>(info, 2, napi_uint32_array, &lengths_length, "lengths must be a Uint32Array");
  if (lengths == nullptr) return env.Undefined();
  if (!info[1].IsNumber() || !info[3].IsNumber() || !info[4].IsFunction()) {
    ThrowType(env, "startReading(slots, slotSize, lengths, limit, callback)");
    return env.Undefined();
  }
  size_t slot_size = info[1].As<Napi::Number>().Uint32Value();
  uint32_t limit = info[3].As<Napi::Number>().Uint32Value();
  if (slot_size == 0 || limit == 0 || lengths_length < limit || slots_length < slot_size * limit) {
    ThrowType(env, "slots must hold limit * slotSize bytes and lengths limit entries");
    return env.Undefined();
  }
  slots_ = slots;
  slot_size_ = slot_size;
  lengths_ = lengths;
  limit_ = limit;
  slots_ref_ = Napi::Persistent(info[0].As<Napi::Object>());
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

void TunDevice::StartPolling() {
  if (polling_ || poll_ == nullptr || paused_) return;
  uv_poll_start(poll_, UV_READABLE, OnReadable);
  polling_ = true;
  if (!strong_) {
    Ref();
    strong_ = true;
  }
}

void TunDevice::StopPolling() {
  if (polling_ && poll_ != nullptr) uv_poll_stop(poll_);
  polling_ = false;
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

// One wake-up: read until EAGAIN or `limit` packets, then one call into JS.
void TunDevice::DrainAndDeliver(int status) {
  if (fd_ < 0 || paused_) return;
  int err = status < 0 ? -status : 0;
  uint32_t count = 0;
  while (err == 0 && count < limit_) {
    ssize_t n = read(fd_, slots_ + count * slot_size_, slot_size_);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN) err = errno;
      break;
    }
    // Without IFF_VNET_HDR the kernel reports the full packet length even when it truncated
    // the copy: a packet longer than a slot is dropped and counted.
    if (static_cast<size_t>(n) > slot_size_) {
      oversized_dropped_++;
      continue;
    }
    lengths_[count++] = static_cast<uint32_t>(n);
  }
  if (count == 0 && err == 0) return;
  packets_read_ += count;
  batches_read_++;
  if (err != 0) {
    paused_ = true;
    if (polling_) uv_poll_stop(poll_);
    polling_ = false;
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
  if (err != 0) {
    paused_ = true;
    StopPolling();
  }
}

// writeBatch(buffer: Uint8Array, offsets: Uint32Array, lengths: Uint32Array, count: number,
//            maxLength: number) => number of packets written. Stops early (returning fewer)
// when the kernel says EAGAIN/ENOBUFS; throws on other errors with `written` set.
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
  while (written < count) {
    ssize_t n = write(fd_, buffer + offsets[written], lengths[written]);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == ENOBUFS) break;
      int err = errno;
      packets_written_ += written;
      Napi::Error error = ErrnoError(env, err, "write", "(packet " + std::to_string(written) + ")");
      error.Set("index", Napi::Number::New(env, written));
      error.Set("written", Napi::Number::New(env, written));
      error.ThrowAsJavaScriptException();
      return env.Undefined();
    }
    written++;
  }
  packets_written_ += written;
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
  for (;;) {
    ssize_t n = write(fd_, buffer, length);
    if (n >= 0) break;
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == ENOBUFS) return Napi::Boolean::New(env, false);
    Napi::Error error = ErrnoError(env, errno, "write", "(packet 0)");
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
  stats.Set("packetsWritten", packets_written_);
  stats.Set("writeCalls", write_calls_);
  return stats;
}

// Idempotent. After it returns no callback runs; the interface disappears with its last fd.
Napi::Value TunDevice::Close(const Napi::CallbackInfo& info) {
  paused_ = true;
  StopPolling();
  Release();
  callback_.Reset();
  slots_ref_.Reset();
  lengths_ref_.Reset();
  if (!delivering_) async_context_.reset();  // else after the callback returns
  slots_ = nullptr;
  lengths_ = nullptr;
  if (cleanup_hook_) napi_remove_env_cleanup_hook(env_, OnEnvironmentTeardown, this);
  cleanup_hook_ = false;
  return info.Env().Undefined();
}
