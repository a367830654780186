// TUN offloads (IFF_VNET_HDR + TUNSETOFFLOAD), pure functions on packet bytes, no I/O.
//
// With IFF_VNET_HDR every read and write of the TUN carries a struct virtio_net_hdr first
// (include/uapi/linux/virtio_net.h). With TUN_F_TSO4/TSO6 (and TUN_F_USO4/USO6) the kernel
// hands us TCP (UDP) "super-packets" of up to 64 KiB, one IP/transport header followed by many
// segments' worth of payload: SplitSegment() cuts them into packets of at most gso_size payload
// bytes, each with its own IP header (length, IPv4 ID and checksum) and transport header (TCP
// sequence number and flags, UDP length) and a full checksum, as the kernel's software GSO does
// (net/ipv4/tcp_offload.c, udp_offload.c). With TUN_F_CSUM a packet may come with a partial
// checksum (VIRTIO_NET_HDR_F_NEEDS_CSUM): CompletePartialChecksum() finishes it.
//
// On the way in, consecutive TCP segments of one flow become one super-packet the kernel
// segments itself (its GRO rules, net/ipv4/tcp_offload.c tcp_gro_receive): CoalescePlan()
// groups them, and BuildSuperHeader() writes the group's headers and virtio_net_hdr.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace offload {

constexpr size_t kVnetHeaderLength = 10;  // sizeof(struct virtio_net_hdr)
constexpr uint8_t kNeedsChecksum = 1;     // VIRTIO_NET_HDR_F_NEEDS_CSUM
constexpr uint8_t kGsoNone = 0;
constexpr uint8_t kGsoTcpV4 = 1;
constexpr uint8_t kGsoTcpV6 = 4;
constexpr uint8_t kGsoUdpL4 = 5;
constexpr size_t kMaxSuperPacket = 65535;
// Most segments one coalesced super-packet carries (the kernel's GSO limit is higher; this
// bounds a writev's iovec count).
constexpr uint32_t kMaxCoalesced = 64;
// Largest headers of a TCP segment we coalesce: a 40-byte IPv6 header (no extension headers)
// or a 20-byte IPv4 header (no options), and a TCP header of up to 60 bytes.
constexpr size_t kMaxHeaders = 100;

// struct virtio_net_hdr in host byte order (legacy TUN: native endianness).
struct VnetHeader {
  uint8_t flags = 0;
  uint8_t gso_type = 0;
  uint16_t hdr_len = 0;
  uint16_t gso_size = 0;
  uint16_t csum_start = 0;
  uint16_t csum_offset = 0;
};
void ReadVnetHeader(const uint8_t* bytes, VnetHeader* header);
void WriteVnetHeader(const VnetHeader& header, uint8_t* bytes);

// RFC 1071 one's-complement sum of `length` bytes added to `sum` (not folded, not inverted).
uint64_t ChecksumAdd(const uint8_t* data, size_t length, uint64_t sum);
uint16_t ChecksumFold(uint64_t sum);
// Sum of the TCP/UDP pseudo-header (RFC 793 §3.1, RFC 8200 §8.1) for `packet`'s addresses.
uint64_t PseudoHeaderSum(const uint8_t* packet, bool ipv6, uint8_t protocol, uint32_t transport_length);

// Finishes a NEEDS_CSUM checksum in place: the field at csum_start + csum_offset holds the
// pseudo-header sum; the result covers [csum_start, length). False when the offsets are outside.
bool CompletePartialChecksum(uint8_t* packet, size_t length, uint16_t csum_start, uint16_t csum_offset);

// A super-packet read from the TUN, validated: where its headers end and how it is cut.
struct SuperPacket {
  bool ipv6 = false;
  bool tcp = false;
  uint32_t ip_header_length = 0;
  uint32_t header_length = 0;  // IP + transport header
  uint32_t segment_payload = 0;  // gso_size
  uint32_t segments = 0;
};
// Validates a GSO packet (TCPV4, TCPV6, UDP_L4) against its own headers. False: malformed.
bool ParseSuperPacket(const uint8_t* packet, size_t length, const VnetHeader& header, SuperPacket* parsed);
// Writes segment `index` of `packet` to `out` (room for header_length + segment_payload bytes)
// and returns its length.
uint32_t SplitSegment(const uint8_t* packet, size_t length, const SuperPacket& parsed, uint32_t index, uint8_t* out);

constexpr uint32_t kNoPacket = 0xffffffffu;

// One write to the TUN: packet `first` alone, or `first` followed by the payloads of the
// packets chained by Coalescer::next (indices into the batch) as one super-packet.
struct WriteUnit {
  uint32_t first = 0;
  uint32_t last = 0;
  uint32_t count = 1;
};

class Coalescer {
 public:
  // Groups `count` packets (packet i at buffer + offsets[i], lengths[i] bytes) into write
  // units, in the order of each unit's first packet. Only TCP segments with payload, ACK (and a
  // final PSH) set, in sequence, with equal IP and TCP options, valid checksums, and whose
  // 4-tuple saw no other packet in between, are grouped: the order of packets within each
  // connection is kept.
  void Plan(const uint8_t* buffer, const uint32_t* offsets, const uint32_t* lengths, uint32_t count);
  // Writes a unit's virtio_net_hdr and its rewritten headers (IP length and checksum, TCP
  // pseudo-header checksum, PSH of the last segment) into `vnet` and `headers`; returns the
  // header length. Only for units with count > 1.
  uint32_t BuildSuperHeader(const WriteUnit& unit, const uint8_t* buffer, const uint32_t* offsets,
                            const uint32_t* lengths, uint8_t* vnet, uint8_t* headers) const;

  std::vector<WriteUnit> units;
  // next[i]: the packet after i in its unit, or kNoPacket.
  std::vector<uint32_t> next;

 private:
  struct Open {
    uint32_t unit = 0;
    uint32_t next_seq = 0;
    uint32_t total = 0;
    uint32_t segment = 0;
    bool closed = false;
  };
  std::vector<Open> open_;
};

}  // namespace offload
