// UdpSocket: recvmmsg(2) batches on a uv_poll_t, sendmmsg(2) batches with per-datagram errors.
// See udp-socket.h for the model and README.md for the ownership rules.
#include "udp-socket.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/udp.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

#include "errno-error.h"

#ifndef UDP_GRO
#define UDP_GRO 104  // Linux 5.0
#endif

namespace {

constexpr size_t kControlSpace = 96;  // IPV6_PKTINFO or IP_PKTINFO, and UDP_GRO
// Receive memory bound (slots x slot size) when slots are large: GRO's 64 KiB, or a large maxDatagram.
constexpr size_t kReceiveBytes = 2 << 20;
constexpr uint32_t kGroSlotSize = 65535;
constexpr size_t kSendControlSpace = 96;  // IPV6_PKTINFO + UDP_SEGMENT
constexpr uint32_t kMaxGsoSegments = 64;   // UDP_MAX_SEGMENTS
constexpr uint32_t kMaxRoundsPerWakeup = 8;  // full batches read per event-loop wake-up before yielding

void ThrowType(Napi::Env env, const char* message) { Napi::TypeError::New(env, message).ThrowAsJavaScriptException(); }

// A typed array argument of the given type, or nullptr after throwing a TypeError.
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

// Parses "1.2.3.4", "fd00::1", "fe80::1%eth0" (or "%2"). On an IPv6 socket an IPv4 address
// becomes IPv4-mapped; on an IPv4 socket an IPv4-mapped IPv6 address becomes IPv4 and any other
// IPv6 address is `foreign`. Returns false when the text is no address.
template <typename Entry>
bool ParseAddress(int family, const std::string& text, Entry* entry) {
  std::string address = text;
  uint32_t scope = 0;
  size_t percent = address.find('%');
  if (percent != std::string::npos) {
    std::string zone = address.substr(percent + 1);
    address.resize(percent);
    if (zone.empty()) return false;
    char* end = nullptr;
    unsigned long number = std::strtoul(zone.c_str(), &end, 10);
    if (*end == '\0') {
      scope = static_cast<uint32_t>(number);
    } else {
      scope = if_nametoindex(zone.c_str());
      if (scope == 0) return false;
    }
  }
  in_addr v4{};
  in6_addr v6{};
  if (inet_pton(AF_INET, address.c_str(), &v4) == 1) {
    if (percent != std::string::npos) return false;
    entry->v4 = v4;
    std::memset(&entry->v6, 0, sizeof entry->v6);
    entry->v6.s6_addr[10] = 0xff;
    entry->v6.s6_addr[11] = 0xff;
    std::memcpy(&entry->v6.s6_addr[12], &v4, 4);
    entry->foreign = false;
    entry->scope = 0;
    return true;
  }
  if (inet_pton(AF_INET6, address.c_str(), &v6) != 1) return false;
  entry->v6 = v6;
  entry->scope = scope;
  if (family == AF_INET) {
    if (IN6_IS_ADDR_V4MAPPED(&v6)) {
      std::memcpy(&entry->v4, &v6.s6_addr[12], 4);
      entry->foreign = false;
    } else {
      entry->foreign = true;
    }
  } else {
    entry->foreign = false;
  }
  return true;
}

}  // namespace

Napi::Function UdpSocket::Define(Napi::Env env) {
  return DefineClass(env, "UdpSocket",
                     {
                         InstanceMethod<&UdpSocket::Port>("port"),
                         InstanceMethod<&UdpSocket::RegisterAddress>("registerAddress"),
                         InstanceMethod<&UdpSocket::ResetAddresses>("resetAddresses"),
                         InstanceMethod<&UdpSocket::SetSendQueue>("setSendQueue"),
                         InstanceMethod<&UdpSocket::Flush>("flush"),
                         InstanceMethod<&UdpSocket::StartReading>("startReading"),
                         InstanceMethod<&UdpSocket::RefHandle>("ref"),
                         InstanceMethod<&UdpSocket::UnrefHandle>("unref"),
                         InstanceMethod<&UdpSocket::Stats>("stats"),
                         InstanceMethod<&UdpSocket::ReceiveShape>("receiveShape"),
                         InstanceMethod<&UdpSocket::SetMark>("setMark"),
                         InstanceMethod<&UdpSocket::Close>("close"),
                     });
}

// new UdpSocket(family: 4 | 6, address: string, port: number, batch: number, maxDatagram: number,
//               bufferBytes: number, gso: boolean, gro: boolean): opens and binds, throws an errno
// error. UDP_GRO is asked for when `gro`; a kernel without it (before 5.0) reads plainly.
UdpSocket::UdpSocket(const Napi::CallbackInfo& info) : Napi::ObjectWrap<UdpSocket>(info), env_(info.Env()) {
  Napi::Env env = info.Env();
  if (!info[0].IsNumber() || !info[1].IsString() || !info[2].IsNumber() || !info[3].IsNumber() ||
      !info[4].IsNumber() || !info[5].IsNumber()) {
    ThrowType(env, "UdpSocket(family, address, port, batch, maxDatagram, bufferBytes, gso)");
    return;
  }
  family_ = info[0].As<Napi::Number>().Int32Value() == 6 ? AF_INET6 : AF_INET;
  std::string address = info[1].As<Napi::String>().Utf8Value();
  uint32_t port = info[2].As<Napi::Number>().Uint32Value();
  batch_ = info[3].As<Napi::Number>().Uint32Value();
  max_datagram_ = info[4].As<Napi::Number>().Uint32Value();
  int buffer_bytes = info[5].As<Napi::Number>().Int32Value();
  bool want_gso = info[6].ToBoolean().Value();
  bool want_gro = info[7].ToBoolean().Value();
  if (port > 65535 || batch_ == 0 || batch_ > 1024 || max_datagram_ == 0) {
    ThrowType(env, "port, batch or maxDatagram out of range");
    return;
  }

  AddressEntry local;
  if (!address.empty() && (!ParseAddress(family_, address, &local) || local.foreign ||
                           (family_ == AF_INET6 && IN6_IS_ADDR_V4MAPPED(&local.v6)))) {
    ErrnoError(env, EINVAL, "bind", "(" + address + " is not an IPv" + (family_ == AF_INET6 ? "6" : "4") +
                                        " address)")
        .ThrowAsJavaScriptException();
    return;
  }

  const char* syscall = "socket";
  int err = 0;
  fd_ = socket(family_, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) err = errno;
  int on = 1;
  if (err == 0 && family_ == AF_INET6) {
    syscall = "setsockopt(IPV6_V6ONLY)";
    if (setsockopt(fd_, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on) < 0) err = errno;
    syscall = "setsockopt(IPV6_RECVPKTINFO)";
    if (err == 0 && setsockopt(fd_, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof on) < 0) err = errno;
  } else if (err == 0) {
    syscall = "setsockopt(IP_PKTINFO)";
    if (setsockopt(fd_, IPPROTO_IP, IP_PKTINFO, &on, sizeof on) < 0) err = errno;
  }
  if (err == 0 && want_gso) {
    // Kernels with UDP_SEGMENT (4.18+) answer this getsockopt; older ones would ignore the cmsg.
    int size = 0;
    socklen_t size_length = sizeof size;
    gso_ = getsockopt(fd_, SOL_UDP, UDP_SEGMENT, &size, &size_length) == 0;
  }
  if (err == 0 && want_gro) gro_ = setsockopt(fd_, SOL_UDP, UDP_GRO, &on, sizeof on) == 0;
  recv_slot_size_ = gro_ ? kGroSlotSize : max_datagram_;
  recv_slots_ = static_cast<uint32_t>(
      std::max<size_t>(1, std::min<size_t>(batch_, kReceiveBytes / recv_slot_size_)));
  if (err == 0 && buffer_bytes > 0) {
    // Privileged processes go past net.core.{r,w}mem_max (like wireguard-go); others get the cap.
    if (setsockopt(fd_, SOL_SOCKET, SO_RCVBUFFORCE, &buffer_bytes, sizeof buffer_bytes) < 0)
      setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &buffer_bytes, sizeof buffer_bytes);
    if (setsockopt(fd_, SOL_SOCKET, SO_SNDBUFFORCE, &buffer_bytes, sizeof buffer_bytes) < 0)
      setsockopt(fd_, SOL_SOCKET, SO_SNDBUF, &buffer_bytes, sizeof buffer_bytes);
  }
  if (err == 0) {
    SocketAddress name{};
    socklen_t length = 0;
    if (family_ == AF_INET6) {
      name.v6.sin6_family = AF_INET6;
      name.v6.sin6_port = htons(static_cast<uint16_t>(port));
      if (!address.empty()) {
        name.v6.sin6_addr = local.v6;
        name.v6.sin6_scope_id = local.scope;
      }
      length = sizeof name.v6;
    } else {
      name.v4.sin_family = AF_INET;
      name.v4.sin_port = htons(static_cast<uint16_t>(port));
      name.v4.sin_addr.s_addr = address.empty() ? htonl(INADDR_ANY) : local.v4.s_addr;
      length = sizeof name.v4;
    }
    syscall = "bind";
    if (bind(fd_, &name.any, length) < 0) err = errno;
    if (err == 0) {
      length = sizeof name;
      syscall = "getsockname";
      if (getsockname(fd_, &name.any, &length) < 0) {
        err = errno;
      } else {
        port_ = ntohs(family_ == AF_INET6 ? name.v6.sin6_port : name.v4.sin_port);
      }
    }
  }
  if (err != 0) {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
    std::string where = family_ == AF_INET6 ? "[" + (address.empty() ? "::" : address) + "]:"
                                            : (address.empty() ? "0.0.0.0" : address) + ":";
    ErrnoError(env, err, syscall, "(" + where + std::to_string(port) + ")").ThrowAsJavaScriptException();
    return;
  }
  napi_add_env_cleanup_hook(env_, OnEnvironmentTeardown, this);
  cleanup_hook_ = true;
}

UdpSocket::~UdpSocket() {
  // Last resort when close() was never called: release the fd without touching JS.
  Release();
  if (cleanup_hook_) napi_remove_env_cleanup_hook(env_, OnEnvironmentTeardown, this);
  cleanup_hook_ = false;
}

void UdpSocket::OnEnvironmentTeardown(void* self) {
  UdpSocket* socket = static_cast<UdpSocket*>(self);
  socket->cleanup_hook_ = false;
  socket->Release();
}

// Stops polling, closes the handle and the descriptor. Idempotent; no JS involved.
void UdpSocket::Release() {
  if (poll_ != nullptr) {
    if (poll_events_ != 0) uv_poll_stop(poll_);
    uv_close(reinterpret_cast<uv_handle_t*>(poll_), [](uv_handle_t* handle) {
      delete reinterpret_cast<uv_poll_t*>(handle);
    });
    poll_ = nullptr;
  }
  poll_events_ = 0;
  reading_ = false;
  want_writable_ = false;
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

bool UdpSocket::CheckOpen(Napi::Env env) {
  if (fd_ >= 0) return true;
  ErrnoError(env, EBADF, "use", "(the socket is closed)").ThrowAsJavaScriptException();
  return false;
}

// Starts, changes or stops the poll handle to match reading_ / want_writable_. The object holds
// a strong reference to itself while the handle is active, so JS may drop it meanwhile.
void UdpSocket::UpdatePolling() {
  int events = fd_ < 0 ? 0 : (reading_ ? UV_READABLE : 0) | (want_writable_ ? UV_WRITABLE : 0);
  if (events == poll_events_) return;
  if (events == 0) {
    if (poll_ != nullptr) uv_poll_stop(poll_);
    poll_events_ = 0;
    if (strong_) {
      strong_ = false;
      Unref();
    }
    return;
  }
  if (poll_ == nullptr) {
    if (loop_ == nullptr) napi_get_uv_event_loop(env_, &loop_);
    poll_ = new uv_poll_t;
    int status = uv_poll_init(loop_, poll_, fd_);
    if (status < 0) {
      delete poll_;
      poll_ = nullptr;
      Napi::Env env(env_);
      ErrnoError(env, -status, "uv_poll_init").ThrowAsJavaScriptException();
      return;
    }
    poll_->data = this;
    if (!referenced_) uv_unref(reinterpret_cast<uv_handle_t*>(poll_));
  }
  uv_poll_start(poll_, events, OnPoll);
  poll_events_ = events;
  if (!strong_) {
    Ref();
    strong_ = true;
  }
}

Napi::Value UdpSocket::Port(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), port_); }

// registerAddress(text: string, id: number) => boolean: parses `text` into table slot `id`
// (ids are dense, chosen by the TypeScript cache). False when `text` is not an IP address.
Napi::Value UdpSocket::RegisterAddress(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsString() || !info[1].IsNumber()) {
    ThrowType(env, "registerAddress(text: string, id: number)");
    return env.Undefined();
  }
  AddressEntry entry;
  if (!ParseAddress(family_, info[0].As<Napi::String>().Utf8Value(), &entry)) return Napi::Boolean::New(env, false);
  uint32_t id = info[1].As<Napi::Number>().Uint32Value();
  if (id > addresses_.size()) {
    ThrowType(env, "address ids must be dense");
    return env.Undefined();
  }
  if (id == addresses_.size()) {
    addresses_.push_back(entry);
  } else {
    addresses_[id] = entry;
  }
  return Napi::Boolean::New(env, true);
}

Napi::Value UdpSocket::ResetAddresses(const Napi::CallbackInfo& info) {
  addresses_.clear();
  return info.Env().Undefined();
}

// setSendQueue(buffer: Uint8Array, lengths: Uint32Array, ports: Uint16Array,
//              destinations: Uint32Array, locals: Int32Array, errors: Int32Array,
//              writable: () => void)
// Slot i of the queue is buffer[i * maxDatagram, + lengths[i]) to ports[i] at address id
// destinations[i], from local address id locals[i] (-1: the kernel chooses). errors holds
// 1 + 2 * capacity entries: the count of the last flush, then (slot, errno) pairs.
Napi::Value UdpSocket::SetSendQueue(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckOpen(env)) return env.Undefined();
  size_t buffer_length = 0, offsets_length = 0, lengths_length = 0, ports_length = 0, destinations_length = 0,
         locals_length = 0, errors_length = 0;
  uint8_t* buffer = TypedData<uint8_t>(info, 0, napi_uint8_array, &buffer_length, "buffer must be a Uint8Array");
  if (buffer == nullptr) return env.Undefined();
  uint32_t* offsets =
      TypedData<uint32_t>(info, 1, napi_uint32_array, &offsets_length, "offsets must be a Uint32Array");
  if (offsets == nullptr) return env.Undefined();
  uint32_t* lengths =
      TypedData<uint32_t>(info, 2, napi_uint32_array, &lengths_length, "lengths must be a Uint32Array");
  if (lengths == nullptr) return env.Undefined();
  uint16_t* ports = TypedData<uint16_t>(info, 3, napi_uint16_array, &ports_length, "ports must be a Uint16Array");
  if (ports == nullptr) return env.Undefined();
  uint32_t* destinations = TypedData<uint32_t>(info, 4, napi_uint32_array, &destinations_length,
                                               "destinations must be a Uint32Array");
  if (destinations == nullptr) return env.Undefined();
  int32_t* locals = TypedData<int32_t>(info, 5, napi_int32_array, &locals_length, "locals must be an Int32Array");
  if (locals == nullptr) return env.Undefined();
  int32_t* errors = TypedData<int32_t>(info, 6, napi_int32_array, &errors_length, "errors must be an Int32Array");
  if (errors == nullptr) return env.Undefined();
  if (!info[7].IsFunction()) {
    ThrowType(env, "writable must be a function");
    return env.Undefined();
  }
  size_t capacity = lengths_length;
  if (capacity == 0 || offsets_length < capacity || ports_length < capacity || destinations_length < capacity ||
      locals_length < capacity || errors_length < 1 + 2 * capacity || buffer_length < max_datagram_) {
    ThrowType(env, "send queue arrays are too small");
    return env.Undefined();
  }
  send_buffer_ = buffer;
  send_buffer_length_ = buffer_length;
  send_offsets_ = offsets;
  send_lengths_ = lengths;
  send_ports_ = ports;
  send_destinations_ = destinations;
  send_locals_ = locals;
  send_errors_ = errors;
  send_capacity_ = static_cast<uint32_t>(capacity);
  send_buffer_ref_ = Napi::Persistent(info[0].As<Napi::Object>());
  send_offsets_ref_ = Napi::Persistent(info[1].As<Napi::Object>());
  send_lengths_ref_ = Napi::Persistent(info[2].As<Napi::Object>());
  send_ports_ref_ = Napi::Persistent(info[3].As<Napi::Object>());
  send_destinations_ref_ = Napi::Persistent(info[4].As<Napi::Object>());
  send_locals_ref_ = Napi::Persistent(info[5].As<Napi::Object>());
  send_errors_ref_ = Napi::Persistent(info[6].As<Napi::Object>());
  writable_callback_ = Napi::Persistent(info[7].As<Napi::Function>());
  if (!async_context_) async_context_ = std::make_unique<Napi::AsyncContext>(env, "PathwireUdp", Value());
  send_msgs_.assign(batch_, mmsghdr{});
  send_iovs_.assign(batch_, iovec{});
  send_names_.assign(batch_, SocketAddress{});
  send_control_.assign(batch_ * kSendControlSpace, 0);
  send_msg_slots_.assign(batch_, 0);
  return env.Undefined();
}

// flush(head: number, tail: number) => number: sends slots [head, tail) with sendmmsg, up to `batch`
// slots per call, and returns the first slot not consumed (tail unless the kernel said EAGAIN, in
// which case the socket now waits for writability and will call `writable`). A datagram the
// kernel refuses (ENETUNREACH, EACCES, EMSGSIZE...) is consumed and listed in `errors`; the others
// are still sent. sendmmsg stops at a failing message k and returns k; the next call starts
// there, so its errno is that message's own.
//
// UDP GSO: consecutive slots to the same destination and port, from the same local address, all
// of the first one's length (the last may be shorter), become ONE message with UDP_SEGMENT, which
// the kernel splits into datagrams as late as possible (in the driver, or never on veth until the
// receiving socket). An error on such a message is reported for each of its datagrams.
Napi::Value UdpSocket::Flush(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckOpen(env)) return env.Undefined();
  if (send_buffer_ == nullptr) {
    ThrowType(env, "setSendQueue() was not called");
    return env.Undefined();
  }
  uint32_t head = info[0].As<Napi::Number>().Uint32Value();
  uint32_t tail = info[1].As<Napi::Number>().Uint32Value();
  if (tail > send_capacity_ || head > tail) {
    ThrowType(env, "flush(head, tail) out of range");
    return env.Undefined();
  }
  const size_t table = addresses_.size();
  // Largest GSO payload: the IP length field, less headers, with room to spare.
  const size_t gso_bytes_limit = 65000;
  int32_t errors = 0;
  auto fail = [&](uint32_t slot, int err) {
    send_errors_[1 + 2 * errors] = static_cast<int32_t>(slot);
    send_errors_[2 + 2 * errors] = err;
    errors++;
    send_errors_count_++;
  };
  auto usable = [&](uint32_t slot) -> int {
    uint32_t destination = send_destinations_[slot];
    int32_t local = send_locals_[slot];
    if (destination >= table || addresses_[destination].foreign ||
        (local >= 0 && (static_cast<size_t>(local) >= table || addresses_[local].foreign)))
      return EAFNOSUPPORT;
    if (send_lengths_[slot] > max_datagram_) return EMSGSIZE;
    if (static_cast<size_t>(send_offsets_[slot]) + send_lengths_[slot] > send_buffer_length_) return EFAULT;
    return 0;
  };
  uint32_t i = head;
  uint32_t plain_until = 0;  // slots below this go one per message (after a GSO message failed)
  uint32_t einval_slot = 0;  // first slot of a GSO message refused with EINVAL, and its segment size
  uint32_t einval_segment = 0;
  bool wait = false;
  while (i < tail) {
    uint32_t messages = 0;
    uint32_t slots = 0;  // slots covered by the messages of this call
    int bad = 0;
    while (i + slots < tail && slots < batch_) {
      uint32_t first = i + slots;
      bad = usable(first);
      if (bad != 0) break;
      uint32_t destination = send_destinations_[first];
      int32_t local = send_locals_[first];
      uint16_t port = send_ports_[first];
      uint32_t segment = send_lengths_[first];
      // Group the following slots into this message when GSO can carry them.
      uint32_t count = 1;
      size_t total = segment;
      if (gso_ && segment > 0 && segment <= gso_max_segment_ && first >= plain_until) {
        while (first + count < tail && slots + count < batch_ && count < kMaxGsoSegments) {
          uint32_t next = first + count;
          uint32_t length = send_lengths_[next];
          if (send_destinations_[next] != destination || send_ports_[next] != port || send_locals_[next] != local ||
              length == 0 || length > segment || total + length > gso_bytes_limit || usable(next) != 0)
            break;
          total += length;
          count++;
          if (length < segment) break;  // only the last segment may be shorter
        }
      }
      const AddressEntry& to = addresses_[destination];
      SocketAddress& name = send_names_[messages];
      mmsghdr& message = send_msgs_[messages];
      std::memset(&message, 0, sizeof message);
      if (family_ == AF_INET6) {
        name.v6 = sockaddr_in6{};
        name.v6.sin6_family = AF_INET6;
        name.v6.sin6_port = htons(port);
        name.v6.sin6_addr = to.v6;
        name.v6.sin6_scope_id = to.scope;
        message.msg_hdr.msg_namelen = sizeof name.v6;
      } else {
        name.v4 = sockaddr_in{};
        name.v4.sin_family = AF_INET;
        name.v4.sin_port = htons(port);
        name.v4.sin_addr = to.v4;
        message.msg_hdr.msg_namelen = sizeof name.v4;
      }
      message.msg_hdr.msg_name = &name;
      for (uint32_t k = 0; k < count; k++) {
        send_iovs_[slots + k].iov_base = send_buffer_ + send_offsets_[first + k];
        send_iovs_[slots + k].iov_len = send_lengths_[first + k];
      }
      message.msg_hdr.msg_iov = &send_iovs_[slots];
      message.msg_hdr.msg_iovlen = count;
      uint8_t* control = &send_control_[messages * kSendControlSpace];
      size_t control_length = 0;
      if (local >= 0 || count > 1) {
        std::memset(control, 0, kSendControlSpace);
        message.msg_hdr.msg_control = control;
        message.msg_hdr.msg_controllen = kSendControlSpace;
      }
      cmsghdr* header = local >= 0 || count > 1 ? CMSG_FIRSTHDR(&message.msg_hdr) : nullptr;
      if (local >= 0) {
        // Source address for multi-homed replies: IP_PKTINFO / IPV6_PKTINFO.
        const AddressEntry& from = addresses_[local];
        if (family_ == AF_INET6) {
          header->cmsg_level = IPPROTO_IPV6;
          header->cmsg_type = IPV6_PKTINFO;
          header->cmsg_len = CMSG_LEN(sizeof(in6_pktinfo));
          in6_pktinfo packet_info{};
          packet_info.ipi6_addr = from.v6;
          packet_info.ipi6_ifindex = from.scope;
          std::memcpy(CMSG_DATA(header), &packet_info, sizeof packet_info);
          control_length += CMSG_SPACE(sizeof(in6_pktinfo));
        } else {
          header->cmsg_level = IPPROTO_IP;
          header->cmsg_type = IP_PKTINFO;
          header->cmsg_len = CMSG_LEN(sizeof(in_pktinfo));
          in_pktinfo packet_info{};
          packet_info.ipi_spec_dst = from.v4;
          std::memcpy(CMSG_DATA(header), &packet_info, sizeof packet_info);
          control_length += CMSG_SPACE(sizeof(in_pktinfo));
        }
        header = CMSG_NXTHDR(&message.msg_hdr, header);
      }
      if (count > 1) {
        header->cmsg_level = SOL_UDP;
        header->cmsg_type = UDP_SEGMENT;
        header->cmsg_len = CMSG_LEN(sizeof(uint16_t));
        uint16_t size = static_cast<uint16_t>(segment);
        std::memcpy(CMSG_DATA(header), &size, sizeof size);
        control_length += CMSG_SPACE(sizeof(uint16_t));
      }
      message.msg_hdr.msg_controllen = control_length;
      if (control_length == 0) message.msg_hdr.msg_control = nullptr;
      send_msg_slots_[messages] = count;
      messages++;
      slots += count;
    }
    if (messages == 0) {
      fail(i, bad);
      i++;
      continue;
    }
    int sent = sendmmsg(fd_, send_msgs_.data(), messages, 0);
    send_calls_++;
    if (sent < 0) {
      int err = errno;
      if (err == EINTR) continue;
      if (err == EAGAIN || err == EWOULDBLOCK) {
        wait = true;
        break;
      }
      uint32_t count = send_msg_slots_[0];
      if (count > 1) {
        // Retry these datagrams one by one, so each gets its own fate (EMSGSIZE/EINVAL: the segment
        // size exceeds the path MTU, where plain datagrams would be fragmented). EIO: the device cannot
        // segment (no checksum offload): no GSO on this socket from now on.
        if (err == EIO) gso_ = false;
        gso_refused_++;
        // EMSGSIZE (EINVAL before Linux 6.x) may mean: segments this large exceed the path MTU
        // (the kernel fragments plain datagrams, but does not segment and fragment). If the
        // first one then goes out plainly, no GSO for segments this large from now on, rather
        // than one failed call per flush.
        if (err == EMSGSIZE || err == EINVAL) {
          einval_slot = i;
          einval_segment = send_lengths_[i];
        }
        plain_until = i + count;
        continue;
      }
      for (uint32_t k = 0; k < count; k++) fail(i + k, err);
      einval_segment = 0;  // refused plainly too: not a matter of size
      i += count;
      continue;
    }
    if (sent == 0) {  // cannot happen with messages > 0; do not spin
      wait = true;
      break;
    }
    if (einval_segment != 0 && i == einval_slot) gso_max_segment_ = std::min(gso_max_segment_, einval_segment - 1);
    einval_segment = 0;
    for (int m = 0; m < sent; m++) {
      uint32_t count = send_msg_slots_[m];
      datagrams_sent_ += count;
      if (count > 1) gso_messages_++;
      i += count;
    }
  }
  send_errors_[0] = errors;
  if (wait) {
    writable_waits_++;
    want_writable_ = true;
    UpdatePolling();
    if (env.IsExceptionPending()) return env.Undefined();
  }
  return Napi::Number::New(env, i);
}

// receiveShape() => { gro, slots, slotSize }: the receive buffer startReading needs
// (slots * slotSize bytes).
Napi::Value UdpSocket::ReceiveShape(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object shape = Napi::Object::New(env);
  shape.Set("gro", gro_);
  shape.Set("slots", recv_slots_);
  shape.Set("slotSize", recv_slot_size_);
  return shape;
}

// startReading(buffer: Uint8Array, offsets: Uint32Array, lengths: Uint32Array, ports: Uint16Array,
//              sources: string[], locals: string[], callback: (count: number, errno: number) => void)
// Slot i is buffer[i * slotSize, + slotSize) (receiveShape()); a delivered batch lists at most
// `batch` datagrams at offsets[k], lengths[k] (truncated datagrams, longer than a slot, are
// dropped and counted).
Napi::Value UdpSocket::StartReading(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckOpen(env)) return env.Undefined();
  if (recv_buffer_ != nullptr) {
    ThrowType(env, "startReading() was already called");
    return env.Undefined();
  }
  size_t buffer_length = 0, offsets_length = 0, lengths_length = 0, ports_length = 0;
  uint8_t* buffer = TypedData<uint8_t>(info, 0, napi_uint8_array, &buffer_length, "buffer must be a Uint8Array");
  if (buffer == nullptr) return env.Undefined();
  uint32_t* offsets =
      TypedData<uint32_t>(info, 1, napi_uint32_array, &offsets_length, "offsets must be a Uint32Array");
  if (offsets == nullptr) return env.Undefined();
  uint32_t* lengths =
      TypedData<uint32_t>(info, 2, napi_uint32_array, &lengths_length, "lengths must be a Uint32Array");
  if (lengths == nullptr) return env.Undefined();
  uint16_t* ports = TypedData<uint16_t>(info, 3, napi_uint16_array, &ports_length, "ports must be a Uint16Array");
  if (ports == nullptr) return env.Undefined();
  if (!info[4].IsArray() || !info[5].IsArray() || !info[6].IsFunction()) {
    ThrowType(env, "startReading(buffer, offsets, lengths, ports, sources, locals, callback)");
    return env.Undefined();
  }
  if (offsets_length < batch_ || lengths_length < batch_ || ports_length < batch_ ||
      buffer_length < static_cast<size_t>(recv_slots_) * recv_slot_size_) {
    ThrowType(env, "receive arrays are too small for the batch");
    return env.Undefined();
  }
  recv_buffer_ = buffer;
  recv_offsets_ = offsets;
  recv_lengths_ = lengths;
  recv_ports_ = ports;
  recv_buffer_ref_ = Napi::Persistent(info[0].As<Napi::Object>());
  recv_offsets_ref_ = Napi::Persistent(info[1].As<Napi::Object>());
  recv_lengths_ref_ = Napi::Persistent(info[2].As<Napi::Object>());
  recv_ports_ref_ = Napi::Persistent(info[3].As<Napi::Object>());
  recv_sources_ref_ = Napi::Persistent(info[4].As<Napi::Object>());
  recv_locals_ref_ = Napi::Persistent(info[5].As<Napi::Object>());
  read_callback_ = Napi::Persistent(info[6].As<Napi::Function>());
  string_cache_array_ = Napi::Persistent(Napi::Array::New(env, sizeof string_cache_ / sizeof string_cache_[0]).As<Napi::Object>());
  if (!async_context_) async_context_ = std::make_unique<Napi::AsyncContext>(env, "PathwireUdp", Value());
  recv_msgs_.assign(recv_slots_, mmsghdr{});
  recv_iovs_.assign(recv_slots_, iovec{});
  recv_names_.assign(recv_slots_, SocketAddress{});
  recv_control_.assign(recv_slots_ * kControlSpace, 0);
  for (uint32_t i = 0; i < recv_slots_; i++) {
    recv_iovs_[i].iov_base = recv_buffer_ + static_cast<size_t>(i) * recv_slot_size_;
    recv_iovs_[i].iov_len = recv_slot_size_;
    msghdr& header = recv_msgs_[i].msg_hdr;
    header.msg_name = &recv_names_[i];
    header.msg_iov = &recv_iovs_[i];
    header.msg_iovlen = 1;
    header.msg_control = &recv_control_[i * kControlSpace];
  }
  reading_ = true;
  UpdatePolling();
  return env.Undefined();
}

Napi::Value UdpSocket::RefHandle(const Napi::CallbackInfo& info) {
  referenced_ = true;
  if (poll_ != nullptr) uv_ref(reinterpret_cast<uv_handle_t*>(poll_));
  return info.Env().Undefined();
}

Napi::Value UdpSocket::UnrefHandle(const Napi::CallbackInfo& info) {
  referenced_ = false;
  if (poll_ != nullptr) uv_unref(reinterpret_cast<uv_handle_t*>(poll_));
  return info.Env().Undefined();
}

void UdpSocket::OnPoll(uv_poll_t* handle, int status, int events) {
  UdpSocket* socket = static_cast<UdpSocket*>(handle->data);
  if (status < 0 || (events & UV_WRITABLE) != 0) {
    if (socket->want_writable_) socket->NotifyWritable();
  }
  if (socket->fd_ >= 0 && socket->reading_ && (status < 0 || (events & UV_READABLE) != 0)) {
    socket->DrainAndDeliver(status);
  }
}

// Calls a JS callback the way an event listener is called (async context, nextTicks and
// microtasks after it; a throw becomes 'uncaughtException'). False when JS cannot run any more.
bool UdpSocket::CallIntoJs(Napi::FunctionReference& callback, size_t argc, const napi_value* argv) {
  Napi::Env env(env_);
  // Keep the object alive across the call even if JS drops it and polling stops.
  Napi::Object self = Value();
  napi_value result = nullptr;
  delivering_ = true;
  napi_status status = napi_make_callback(env, static_cast<napi_async_context>(*async_context_), self,
                                          callback.Value(), argc, argv, &result);
  delivering_ = false;
  if (status != napi_ok) {
    bool pending = false;
    napi_is_exception_pending(env, &pending);
    if (!pending) {
      Release();  // the environment is being torn down: stop for good
      return false;
    }
    napi_value exception = nullptr;
    napi_get_and_clear_last_exception(env, &exception);
    napi_fatal_exception(env, exception);
  }
  if (fd_ < 0) async_context_.reset();  // closed inside the callback
  return fd_ >= 0;
}

void UdpSocket::NotifyWritable() {
  want_writable_ = false;
  UpdatePolling();
  if (writable_callback_.IsEmpty() || !async_context_) return;
  Napi::Env env(env_);
  Napi::HandleScope scope(env);
  CallIntoJs(writable_callback_, 0, nullptr);
}

// The JS string for an address key, from a direct-mapped cache of persistent strings.
napi_value UdpSocket::AddressString(napi_env env, const uint8_t key[20]) {
  uint32_t hash = 2166136261u;
  for (int i = 0; i < 20; i++) hash = (hash ^ key[i]) * 16777619u;
  uint32_t index = hash % (sizeof string_cache_ / sizeof string_cache_[0]);
  CachedString& entry = string_cache_[index];
  napi_value strings = string_cache_array_.Value();
  napi_value value = nullptr;
  if (entry.used && std::memcmp(entry.key, key, 20) == 0 && napi_get_element(env, strings, index, &value) == napi_ok)
    return value;
  char text[INET6_ADDRSTRLEN + IF_NAMESIZE + 2];
  in6_addr address;
  std::memcpy(&address, key, 16);
  uint32_t scope;
  std::memcpy(&scope, key + 16, 4);
  if (IN6_IS_ADDR_V4MAPPED(&address)) {
    inet_ntop(AF_INET, &address.s6_addr[12], text, sizeof text);
  } else {
    inet_ntop(AF_INET6, &address, text, sizeof text);
    if (scope != 0) {
      size_t length = std::strlen(text);
      text[length] = '%';
      if (if_indextoname(scope, text + length + 1) == nullptr)
        std::snprintf(text + length + 1, IF_NAMESIZE + 1, "%u", scope);
    }
  }
  napi_create_string_latin1(env, text, NAPI_AUTO_LENGTH, &value);
  napi_set_element(env, strings, index, value);
  entry.used = true;
  std::memcpy(entry.key, key, 20);
  return value;
}

// Hands the datagrams of the last recvmmsg to the JS arrays, at most `batch`, resuming where
// the previous call stopped; a GRO message yields one entry per datagram it carries.
uint32_t UdpSocket::ExpandReceived(Napi::Env env) {
  napi_value sources = recv_sources_ref_.Value();
  napi_value locals = recv_locals_ref_.Value();
  uint32_t count = 0;
  uint8_t previous_source[20];
  uint8_t previous_local[20];
  napi_value previous_source_value = nullptr;
  napi_value previous_local_value = nullptr;
  while (expand_message_ < expand_received_ && count < batch_) {
    const uint32_t i = expand_message_;
    const msghdr& header = recv_msgs_[i].msg_hdr;
    const uint32_t length = recv_msgs_[i].msg_len;
    if ((header.msg_flags & MSG_TRUNC) != 0 || length == 0) {
      if (length != 0) truncated_dropped_++;
      expand_message_++;
      expand_offset_ = 0;
      continue;
    }
    uint8_t source[20] = {};
    uint8_t local[20] = {};
    const SocketAddress& name = recv_names_[i];
    uint16_t port = 0;
    uint32_t segment = length;
    if (name.any.sa_family == AF_INET6) {
      std::memcpy(source, &name.v6.sin6_addr, 16);
      std::memcpy(source + 16, &name.v6.sin6_scope_id, 4);
      port = ntohs(name.v6.sin6_port);
    } else {
      source[10] = source[11] = 0xff;
      std::memcpy(source + 12, &name.v4.sin_addr, 4);
      port = ntohs(name.v4.sin_port);
    }
    for (cmsghdr* c = CMSG_FIRSTHDR(&header); c != nullptr; c = CMSG_NXTHDR(const_cast<msghdr*>(&header), c)) {
      if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
        in_pktinfo packet_info;
        std::memcpy(&packet_info, CMSG_DATA(c), sizeof packet_info);
        local[10] = local[11] = 0xff;
        std::memcpy(local + 12, &packet_info.ipi_spec_dst, 4);
      } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) {
        in6_pktinfo packet_info;
        std::memcpy(&packet_info, CMSG_DATA(c), sizeof packet_info);
        std::memcpy(local, &packet_info.ipi6_addr, 16);
        if (IN6_IS_ADDR_LINKLOCAL(&packet_info.ipi6_addr)) {
          uint32_t index = static_cast<uint32_t>(packet_info.ipi6_ifindex);
          std::memcpy(local + 16, &index, 4);
        }
      } else if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO) {
        int size = 0;  // the size of each coalesced datagram (the last may be shorter)
        std::memcpy(&size, CMSG_DATA(c), sizeof size);
        if (size > 0 && static_cast<uint32_t>(size) < length) segment = static_cast<uint32_t>(size);
      }
    }
    if (previous_source_value == nullptr || std::memcmp(previous_source, source, 20) != 0) {
      previous_source_value = AddressString(env, source);
      std::memcpy(previous_source, source, 20);
    }
    if (previous_local_value == nullptr || std::memcmp(previous_local, local, 20) != 0) {
      previous_local_value = AddressString(env, local);
      std::memcpy(previous_local, local, 20);
    }
    if (expand_offset_ == 0 && segment < length) gro_messages_++;
    // Every datagram of a GRO message came from the same sender to the same local address.
    while (expand_offset_ < length && count < batch_) {
      uint32_t size = std::min(segment, length - expand_offset_);
      napi_set_element(env, sources, count, previous_source_value);
      napi_set_element(env, locals, count, previous_local_value);
      recv_offsets_[count] = i * recv_slot_size_ + expand_offset_;
      recv_lengths_[count] = size;
      recv_ports_[count] = port;
      count++;
      expand_offset_ += size;
    }
    if (expand_offset_ >= length) {
      expand_message_++;
      expand_offset_ = 0;
    }
  }
  return count;
}

// One wake-up: up to kMaxRoundsPerWakeup recvmmsg calls; their datagrams go to JS `batch` at a
// time (a call's datagrams are always all delivered before the wake-up ends).
void UdpSocket::DrainAndDeliver(int status) {
  Napi::Env env(env_);
  for (uint32_t round = 0; round < kMaxRoundsPerWakeup && fd_ >= 0 && reading_; round++) {
    int err = status < 0 ? -status : 0;
    status = 0;
    int received = 0;
    if (err == 0) {
      for (uint32_t i = 0; i < recv_slots_; i++) {
        recv_msgs_[i].msg_hdr.msg_namelen = sizeof(SocketAddress);
        recv_msgs_[i].msg_hdr.msg_controllen = kControlSpace;
        recv_msgs_[i].msg_hdr.msg_flags = 0;
      }
      for (;;) {
        received = recvmmsg(fd_, recv_msgs_.data(), recv_slots_, MSG_DONTWAIT, nullptr);
        if (received >= 0) break;
        if (errno == EINTR) continue;
        // ICMP-reported errors of earlier sends (unconnected sockets rarely get them) are not
        // reading errors: skip them and read on.
        if (errno == ECONNREFUSED || errno == EHOSTUNREACH || errno == ENETUNREACH || errno == EMSGSIZE) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) err = errno;
        received = 0;
        break;
      }
    }
    if (received == 0 && err == 0) return;
    receive_calls_++;
    expand_received_ = static_cast<uint32_t>(received);
    expand_message_ = 0;
    expand_offset_ = 0;
    if (err != 0) {
      reading_ = false;  // a real reading error (EBADF, ENOMEM...): stop, JS reports it
      UpdatePolling();
    }
    do {
      Napi::HandleScope scope(env);
      uint32_t count = ExpandReceived(env);
      datagrams_received_ += count;
      if (count == 0 && err == 0) break;
      napi_value args[2] = {Napi::Number::New(env, count), Napi::Number::New(env, err)};
      err = 0;
      if (!CallIntoJs(read_callback_, 2, args)) return;
    } while (fd_ >= 0 && reading_ && expand_message_ < expand_received_);
    if (static_cast<uint32_t>(received) < recv_slots_) return;  // drained
  }
}

Napi::Value UdpSocket::Stats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object stats = Napi::Object::New(env);
  stats.Set("datagramsReceived", datagrams_received_);
  stats.Set("receiveCalls", receive_calls_);
  stats.Set("truncatedDropped", truncated_dropped_);
  stats.Set("datagramsSent", datagrams_sent_);
  stats.Set("sendCalls", send_calls_);
  stats.Set("sendErrors", send_errors_count_);
  stats.Set("writableWaits", writable_waits_);
  stats.Set("gsoMessages", gso_messages_);
  stats.Set("gso", gso_);
  stats.Set("gsoRefused", gso_refused_);
  stats.Set("groMessages", gro_messages_);
  stats.Set("gro", gro_);
  return stats;
}

// Idempotent. After it returns no callback runs; queued datagrams are dropped with the socket.
// setMark(mark: number): SO_MARK on the socket (0 clears it), as wireguard-go's fwmark: what
// it sends can then be routed by `ip rule ... fwmark`. Needs CAP_NET_ADMIN; throws an errno error.
Napi::Value UdpSocket::SetMark(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsNumber()) {
    ThrowType(env, "setMark(mark: number)");
    return env.Undefined();
  }
  if (!CheckOpen(env)) return env.Undefined();
  uint32_t mark = info[0].As<Napi::Number>().Uint32Value();
  if (setsockopt(fd_, SOL_SOCKET, SO_MARK, &mark, sizeof mark) < 0)
    ErrnoError(env, errno, "setsockopt(SO_MARK)").ThrowAsJavaScriptException();
  return env.Undefined();
}

Napi::Value UdpSocket::Close(const Napi::CallbackInfo& info) {
  reading_ = false;
  want_writable_ = false;
  UpdatePolling();
  Release();
  read_callback_.Reset();
  writable_callback_.Reset();
  recv_buffer_ref_.Reset();
  recv_offsets_ref_.Reset();
  recv_lengths_ref_.Reset();
  recv_ports_ref_.Reset();
  recv_sources_ref_.Reset();
  recv_locals_ref_.Reset();
  send_buffer_ref_.Reset();
  send_offsets_ref_.Reset();
  send_lengths_ref_.Reset();
  send_ports_ref_.Reset();
  send_destinations_ref_.Reset();
  send_locals_ref_.Reset();
  send_errors_ref_.Reset();
  string_cache_array_.Reset();
  for (CachedString& entry : string_cache_) entry.used = false;
  recv_buffer_ = nullptr;
  send_buffer_ = nullptr;
  if (!delivering_) async_context_.reset();  // else after the callback returns
  if (cleanup_hook_) napi_remove_env_cleanup_hook(env_, OnEnvironmentTeardown, this);
  cleanup_hook_ = false;
  return info.Env().Undefined();
}
