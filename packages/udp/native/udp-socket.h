// One non-blocking UDP socket owned by a JS object, with batched I/O.
//
// Receiving: the fd is watched by a uv_poll_t on Node's event loop; each wake-up reads with ONE
// recvmmsg(2) into slots of caller-provided memory (allocated once by the TypeScript layer) and
// makes ONE call into JS per `batch` datagrams. With UDP_GRO (Linux 5.0+) a slot is 64 KiB and
// may hold many datagrams of one sender coalesced by the kernel (the UDP_GRO cmsg gives their
// size): they are handed to JS one by one, each with the sender and local address of its
// message; what does not fit a batch goes in the next one before anything else is read. Source and local addresses
// (IP_PKTINFO / IPV6_PKTINFO) are written as strings into two reused JS arrays; the strings come
// from a small cache, so a batch from a few peers creates no string.
//
// Sending: the TypeScript layer queues datagrams into slots of caller-provided memory (bytes,
// lengths, ports, destination ids, local-address ids) and calls flush(head, tail), which sends
// them with sendmmsg(2), `batch` per call. Addresses are parsed once (registerAddress) into a
// table and referred to by id. A datagram the kernel refuses is reported by its slot and errno,
// the rest of the batch is still sent; on EAGAIN the socket waits for writability (UV_WRITABLE)
// and calls the `writable` callback, so nothing is dropped silently.
//
// The fd and the poll handle are released by close(), by the environment's teardown, or by the
// finalizer.
#pragma once
#include <napi.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <uv.h>

#include <cstdint>
#include <memory>
#include <vector>

class UdpSocket : public Napi::ObjectWrap<UdpSocket> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit UdpSocket(const Napi::CallbackInfo& info);
  ~UdpSocket() override;

 private:
  union SocketAddress {
    sockaddr any;
    sockaddr_in v4;
    sockaddr_in6 v6;
  };
  // A parsed address: in the socket's family (IPv4 as an IPv4-mapped IPv6 address on an IPv6
  // socket), or `foreign` when it cannot be used on this socket at all (IPv6 on an IPv4 socket).
  struct AddressEntry {
    bool foreign = false;
    in_addr v4{};
    in6_addr v6{};
    uint32_t scope = 0;
  };
  // Key of a string cached in string_cache_array_ (strings cannot be referenced directly).
  struct CachedString {
    bool used = false;
    uint8_t key[20] = {};  // 16 address bytes (IPv4 as ::ffff:a.b.c.d) + scope id
  };

  Napi::Value Port(const Napi::CallbackInfo& info);
  Napi::Value RegisterAddress(const Napi::CallbackInfo& info);
  Napi::Value ResetAddresses(const Napi::CallbackInfo& info);
  Napi::Value SetSendQueue(const Napi::CallbackInfo& info);
  Napi::Value Flush(const Napi::CallbackInfo& info);
  Napi::Value StartReading(const Napi::CallbackInfo& info);
  Napi::Value RefHandle(const Napi::CallbackInfo& info);
  Napi::Value UnrefHandle(const Napi::CallbackInfo& info);
  Napi::Value Stats(const Napi::CallbackInfo& info);
  Napi::Value ReceiveShape(const Napi::CallbackInfo& info);
  Napi::Value SetMark(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);

  static void OnPoll(uv_poll_t* handle, int status, int events);
  static void OnEnvironmentTeardown(void* self);
  void DrainAndDeliver(int status);
  uint32_t ExpandReceived(Napi::Env env);
  void NotifyWritable();
  bool CallIntoJs(Napi::FunctionReference& callback, size_t argc, const napi_value* argv);
  napi_value AddressString(napi_env env, const uint8_t key[20]);
  bool CheckOpen(Napi::Env env);
  void UpdatePolling();
  void Release();

  napi_env env_;
  int fd_ = -1;
  int family_ = AF_INET;  // AF_INET or AF_INET6 (IPV6_V6ONLY)
  uint16_t port_ = 0;
  uint32_t batch_ = 64;
  uint32_t max_datagram_ = 2048;
  bool cleanup_hook_ = false;

  uv_loop_t* loop_ = nullptr;
  uv_poll_t* poll_ = nullptr;
  int poll_events_ = 0;  // events uv_poll_start was last called with (0: stopped)
  bool reading_ = false;
  bool want_writable_ = false;
  bool referenced_ = true;
  bool strong_ = false;      // a strong reference keeps the object alive while it is polling
  bool delivering_ = false;  // inside a JS callback

  std::vector<AddressEntry> addresses_;

  // Receive side: JS-owned arrays, and per-slot kernel structures.
  uint8_t* recv_buffer_ = nullptr;
  uint32_t* recv_offsets_ = nullptr;
  uint32_t* recv_lengths_ = nullptr;
  uint16_t* recv_ports_ = nullptr;
  Napi::ObjectReference recv_buffer_ref_;
  Napi::ObjectReference recv_offsets_ref_;
  Napi::ObjectReference recv_lengths_ref_;
  Napi::ObjectReference recv_ports_ref_;
  Napi::ObjectReference recv_sources_ref_;
  Napi::ObjectReference recv_locals_ref_;
  Napi::FunctionReference read_callback_;
  std::vector<mmsghdr> recv_msgs_;
  std::vector<iovec> recv_iovs_;
  std::vector<SocketAddress> recv_names_;
  std::vector<uint8_t> recv_control_;
  CachedString string_cache_[128];
  Napi::ObjectReference string_cache_array_;  // the strings, at the same index

  // Send side: JS-owned queue, and per-message kernel structures for one sendmmsg call.
  uint8_t* send_buffer_ = nullptr;
  size_t send_buffer_length_ = 0;
  uint32_t* send_offsets_ = nullptr;  // slot i is send_buffer_[send_offsets_[i], + send_lengths_[i])
  uint32_t* send_lengths_ = nullptr;
  uint16_t* send_ports_ = nullptr;
  uint32_t* send_destinations_ = nullptr;
  int32_t* send_locals_ = nullptr;
  int32_t* send_errors_ = nullptr;  // pairs (slot, errno) of the last flush
  uint32_t send_capacity_ = 0;
  Napi::ObjectReference send_buffer_ref_;
  Napi::ObjectReference send_offsets_ref_;
  Napi::ObjectReference send_lengths_ref_;
  Napi::ObjectReference send_ports_ref_;
  Napi::ObjectReference send_destinations_ref_;
  Napi::ObjectReference send_locals_ref_;
  Napi::ObjectReference send_errors_ref_;
  Napi::FunctionReference writable_callback_;
  std::vector<mmsghdr> send_msgs_;
  std::vector<iovec> send_iovs_;
  std::vector<SocketAddress> send_names_;
  std::vector<uint8_t> send_control_;
  std::vector<uint32_t> send_msg_slots_;  // slots carried by each message of the current call
  bool gso_ = false;                      // UDP_SEGMENT available and not refused by the device
  bool gro_ = false;                      // UDP_GRO granted
  uint32_t gso_max_segment_ = 65535;      // larger segments failed with EINVAL (over the path MTU)

  // Receive slots: recv_slots_ messages of recv_slot_size_ bytes (64 KiB with GRO).
  uint32_t recv_slots_ = 0;
  uint32_t recv_slot_size_ = 0;
  // Messages of the last recvmmsg not yet handed to JS: [expand_message_, expand_received_),
  // the next datagram of expand_message_ starting at expand_offset_ within it.
  uint32_t expand_received_ = 0;
  uint32_t expand_message_ = 0;
  uint32_t expand_offset_ = 0;

  std::unique_ptr<Napi::AsyncContext> async_context_;

  double datagrams_received_ = 0;
  double receive_calls_ = 0;
  double truncated_dropped_ = 0;
  double datagrams_sent_ = 0;
  double send_calls_ = 0;
  double send_errors_count_ = 0;
  double writable_waits_ = 0;
  double gso_messages_ = 0;
  double gro_messages_ = 0;
  double gso_refused_ = 0;
};
