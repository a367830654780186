// TUN offloads: checksums, super-packet splitting and TCP coalescing. See offload.h.
#include "offload.h"

#include <arpa/inet.h>

#include <cstring>

namespace offload {

namespace {

constexpr uint8_t kProtocolTcp = 6;
constexpr uint8_t kProtocolUdp = 17;
constexpr uint8_t kTcpFin = 0x01;
constexpr uint8_t kTcpPsh = 0x08;
constexpr uint8_t kTcpAck = 0x10;
constexpr uint8_t kTcpCwr = 0x80;
constexpr size_t kMaxOpenFlows = 16;

uint16_t Load16(const uint8_t* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }
uint32_t Load32(const uint8_t* p) {
  return (static_cast<uint32_t>(p[0]) << 24) | (static_cast<uint32_t>(p[1]) << 16) |
         (static_cast<uint32_t>(p[2]) << 8) | p[3];
}
void Store16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}
void Store32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}
// A checksum computed in native order, stored as the bytes it stands for.
void StoreNative16(uint8_t* p, uint16_t v) { std::memcpy(p, &v, 2); }

void SetIpv4HeaderChecksum(uint8_t* header, uint32_t length) {
  header[10] = header[11] = 0;
  StoreNative16(header + 10, static_cast<uint16_t>(~ChecksumFold(ChecksumAdd(header, length, 0))));
}

// A TCP segment that may be coalesced (RFC 793 header; the kernel's tcp_gro_receive rules).
struct Segment {
  bool ipv6 = false;
  uint32_t ip_header_length = 0;
  uint32_t tcp_header_length = 0;
  uint32_t payload = 0;
  uint32_t seq = 0;
  uint8_t flags = 0;
};

// True for a TCP packet whose 4-tuple can be read; `candidate` when it may join a super-packet.
bool ParseTcp(const uint8_t* p, uint32_t length, Segment* s, bool* candidate) {
  *candidate = false;
  if (length < 20) return false;
  uint8_t version = p[0] >> 4;
  if (version == 4) {
    uint32_t ihl = (p[0] & 0x0f) * 4u;
    if (p[9] != kProtocolTcp || ihl < 20 || length < ihl + 20) return false;
    if ((Load16(p + 6) & 0x3fff) != 0) return false;  // a fragment (MF or an offset)
    s->ipv6 = false;
    s->ip_header_length = ihl;
    if (ihl != 20 || Load16(p + 2) != length) return true;
  } else if (version == 6) {
    if (length < 60 || p[6] != kProtocolTcp) return false;
    s->ipv6 = true;
    s->ip_header_length = 40;
    if (Load16(p + 4) != length - 40) return true;
  } else {
    return false;
  }
  const uint8_t* tcp = p + s->ip_header_length;
  s->tcp_header_length = (tcp[12] >> 4) * 4u;
  if (s->tcp_header_length < 20 || length < s->ip_header_length + s->tcp_header_length) return true;
  s->payload = length - s->ip_header_length - s->tcp_header_length;
  s->seq = Load32(tcp + 4);
  s->flags = tcp[13];
  *candidate = s->payload > 0 && (s->flags == kTcpAck || s->flags == (kTcpAck | kTcpPsh)) &&
               s->ip_header_length + s->tcp_header_length <= kMaxHeaders;
  return true;
}

// Same addresses and ports (the connection), for packets both parsed by ParseTcp.
bool SameConnection(const uint8_t* a, const uint8_t* b, const Segment& sa, const Segment& sb) {
  if (sa.ipv6 != sb.ipv6) return false;
  bool addresses = sa.ipv6 ? std::memcmp(a + 8, b + 8, 32) == 0 : std::memcmp(a + 12, b + 12, 8) == 0;
  return addresses && std::memcmp(a + sa.ip_header_length, b + sb.ip_header_length, 4) == 0;
}

// IP fields that must agree within a super-packet: IPv4 TOS, DF, TTL; IPv6 version, traffic
// class, flow label and hop limit.
bool SameIpFields(const uint8_t* a, const uint8_t* b, bool ipv6) {
  if (ipv6) return std::memcmp(a, b, 4) == 0 && a[7] == b[7];
  return a[1] == b[1] && (a[6] >> 5) == (b[6] >> 5) && a[8] == b[8];
}

bool TransportChecksumValid(const uint8_t* p, uint32_t length, const Segment& s) {
  uint32_t transport = length - s.ip_header_length;
  uint64_t sum = PseudoHeaderSum(p, s.ipv6, kProtocolTcp, transport);
  return ChecksumFold(ChecksumAdd(p + s.ip_header_length, transport, sum)) == 0xffff;
}

}  // namespace

void ReadVnetHeader(const uint8_t* bytes, VnetHeader* header) {
  header->flags = bytes[0];
  header->gso_type = bytes[1];
  std::memcpy(&header->hdr_len, bytes + 2, 2);
  std::memcpy(&header->gso_size, bytes + 4, 2);
  std::memcpy(&header->csum_start, bytes + 6, 2);
  std::memcpy(&header->csum_offset, bytes + 8, 2);
}

void WriteVnetHeader(const VnetHeader& header, uint8_t* bytes) {
  bytes[0] = header.flags;
  bytes[1] = header.gso_type;
  std::memcpy(bytes + 2, &header.hdr_len, 2);
  std::memcpy(bytes + 4, &header.gso_size, 2);
  std::memcpy(bytes + 6, &header.csum_start, 2);
  std::memcpy(bytes + 8, &header.csum_offset, 2);
}

// Sums native-order 32-bit words into 64 bits (no carry is lost below 2^32 words); the fold
// brings it back to 16 bits. The one's-complement sum does not depend on byte order (RFC 1071
// §2(B)), so native order in, native order out.
uint64_t ChecksumAdd(const uint8_t* data, size_t length, uint64_t sum) {
  size_t i = 0;
  for (; i + 4 <= length; i += 4) {
    uint32_t word;
    std::memcpy(&word, data + i, 4);
    sum += word;
  }
  if (i + 2 <= length) {
    uint16_t half;
    std::memcpy(&half, data + i, 2);
    sum += half;
    i += 2;
  }
  if (i < length) {
    uint8_t last[2] = {data[i], 0};
    uint16_t half;
    std::memcpy(&half, last, 2);
    sum += half;
  }
  return sum;
}

uint16_t ChecksumFold(uint64_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<uint16_t>(sum);
}

uint64_t PseudoHeaderSum(const uint8_t* packet, bool ipv6, uint8_t protocol, uint32_t transport_length) {
  uint64_t sum = ipv6 ? ChecksumAdd(packet + 8, 32, 0) : ChecksumAdd(packet + 12, 8, 0);
  uint8_t tail[4];
  Store16(tail, protocol);
  Store16(tail + 2, static_cast<uint16_t>(transport_length));
  if (ipv6) {
    uint8_t long_tail[8] = {};
    Store32(long_tail, transport_length);
    long_tail[7] = protocol;
    return ChecksumAdd(long_tail, 8, sum);
  }
  return ChecksumAdd(tail, 4, sum);
}

bool CompletePartialChecksum(uint8_t* packet, size_t length, uint16_t csum_start, uint16_t csum_offset) {
  size_t at = static_cast<size_t>(csum_start) + csum_offset;
  if (at + 2 > length || csum_start >= length) return false;
  // The field already holds the pseudo-header sum: summing over it includes it.
  uint16_t result = static_cast<uint16_t>(~ChecksumFold(ChecksumAdd(packet + csum_start, length - csum_start, 0)));
  if (result == 0) result = 0xffff;  // as skb_checksum_help: 0 means "no checksum" to UDP
  StoreNative16(packet + at, result);
  return true;
}

bool ParseSuperPacket(const uint8_t* packet, size_t length, const VnetHeader& header, SuperPacket* parsed) {
  if (length < 20 || length > kMaxSuperPacket || header.gso_size == 0) return false;
  uint8_t version = packet[0] >> 4;
  uint8_t protocol = 0;
  if (header.gso_type == kGsoTcpV4 || header.gso_type == kGsoTcpV6) {
    if (version != (header.gso_type == kGsoTcpV4 ? 4 : 6)) return false;
    protocol = kProtocolTcp;
  } else if (header.gso_type == kGsoUdpL4) {
    protocol = kProtocolUdp;
  } else {
    return false;
  }
  if (version == 4) {
    parsed->ipv6 = false;
    parsed->ip_header_length = (packet[0] & 0x0f) * 4u;
    if (parsed->ip_header_length < 20 || packet[9] != protocol) return false;
  } else if (version == 6) {
    parsed->ipv6 = true;
    parsed->ip_header_length = 40;
    if (length < 40 || packet[6] != protocol) return false;  // no extension headers
  } else {
    return false;
  }
  if (header.csum_start != parsed->ip_header_length) return false;
  parsed->tcp = protocol == kProtocolTcp;
  uint32_t transport_header = 8;
  if (parsed->tcp) {
    if (length < parsed->ip_header_length + 20) return false;
    transport_header = (packet[parsed->ip_header_length + 12] >> 4) * 4u;
    if (transport_header < 20) return false;
  }
  // The kernel's hdr_len is a hint only; the headers themselves say where the payload starts.
  parsed->header_length = parsed->ip_header_length + transport_header;
  if (length <= parsed->header_length) return false;
  parsed->segment_payload = header.gso_size;
  uint32_t payload = static_cast<uint32_t>(length) - parsed->header_length;
  parsed->segments = (payload + header.gso_size - 1) / header.gso_size;
  return true;
}

uint32_t SplitSegment(const uint8_t* packet, size_t length, const SuperPacket& parsed, uint32_t index,
                      uint8_t* out) {
  const uint32_t ihl = parsed.ip_header_length;
  const uint32_t hl = parsed.header_length;
  const uint32_t start = hl + index * parsed.segment_payload;
  const uint32_t end = std::min<uint32_t>(start + parsed.segment_payload, static_cast<uint32_t>(length));
  const uint32_t total = hl + (end - start);
  const bool last = end == length;
  std::memcpy(out, packet, hl);
  std::memcpy(out + hl, packet + start, end - start);
  if (parsed.ipv6) {
    Store16(out + 4, static_cast<uint16_t>(total - 40));
  } else {
    Store16(out + 2, static_cast<uint16_t>(total));
    Store16(out + 4, static_cast<uint16_t>(Load16(packet + 4) + index));  // IPv4 ID per segment
    SetIpv4HeaderChecksum(out, ihl);
  }
  uint8_t* transport = out + ihl;
  uint32_t checksum_at;
  if (parsed.tcp) {
    Store32(transport + 4, Load32(packet + ihl + 4) + index * parsed.segment_payload);
    if (!last) transport[13] &= static_cast<uint8_t>(~(kTcpFin | kTcpPsh));  // FIN, PSH: last only
    if (index > 0) transport[13] &= static_cast<uint8_t>(~kTcpCwr);         // CWR: first only
    checksum_at = 16;
  } else {
    Store16(transport + 4, static_cast<uint16_t>(total - ihl));
    checksum_at = 6;
  }
  transport[checksum_at] = transport[checksum_at + 1] = 0;
  uint64_t sum = PseudoHeaderSum(out, parsed.ipv6, parsed.tcp ? kProtocolTcp : kProtocolUdp, total - ihl);
  uint16_t checksum = static_cast<uint16_t>(~ChecksumFold(ChecksumAdd(transport, total - ihl, sum)));
  if (!parsed.tcp && checksum == 0) checksum = 0xffff;
  StoreNative16(transport + checksum_at, checksum);
  return total;
}

void Coalescer::Plan(const uint8_t* buffer, const uint32_t* offsets, const uint32_t* lengths, uint32_t count) {
  units.clear();
  open_.clear();
  next.assign(count, kNoPacket);
  for (uint32_t i = 0; i < count; i++) {
    const uint8_t* p = buffer + offsets[i];
    Segment s;
    bool candidate = false;
    bool tcp = ParseTcp(p, lengths[i], &s, &candidate);
    bool appended = false;
    if (tcp) {
      for (Open& group : open_) {
        if (group.closed) continue;
        const WriteUnit& unit = units[group.unit];
        const uint8_t* head = buffer + offsets[unit.first];
        Segment h;
        bool head_candidate = false;
        ParseTcp(head, lengths[unit.first], &h, &head_candidate);
        if (!SameConnection(head, p, h, s)) continue;
        // One group per connection is open at a time; anything that cannot join it closes it,
        // so that nothing of this connection overtakes what the group holds.
        const uint8_t* ht = head + h.ip_header_length;
        const uint8_t* pt = p + s.ip_header_length;
        bool fits = candidate && s.seq == group.next_seq && s.payload <= group.segment &&
                    s.tcp_header_length == h.tcp_header_length && Load32(ht + 8) == Load32(pt + 8) &&
                    std::memcmp(ht + 14, pt + 14, 2) == 0 &&  // window
                    std::memcmp(ht + 20, pt + 20, s.tcp_header_length - 20) == 0 &&
                    SameIpFields(head, p, s.ipv6) && unit.count < kMaxCoalesced &&
                    group.total + s.payload + h.ip_header_length + h.tcp_header_length <= kMaxSuperPacket;
        if (fits && unit.count == 1 && !TransportChecksumValid(head, lengths[unit.first], h)) fits = false;
        if (fits && !TransportChecksumValid(p, lengths[i], s)) fits = false;
        if (!fits) {
          group.closed = true;
          break;
        }
        WriteUnit& growing = units[group.unit];
        next[growing.last] = i;
        growing.last = i;
        growing.count++;
        group.total += s.payload;
        group.next_seq = s.seq + s.payload;
        if (s.payload < group.segment || (s.flags & kTcpPsh) != 0) group.closed = true;
        appended = true;
        break;
      }
    }
    if (appended) continue;
    WriteUnit unit;
    unit.first = i;
    unit.last = i;
    units.push_back(unit);
    if (candidate && (s.flags & kTcpPsh) == 0) {
      if (open_.size() >= kMaxOpenFlows) open_.clear();
      Open group;
      group.unit = static_cast<uint32_t>(units.size() - 1);
      group.next_seq = s.seq + s.payload;
      group.total = s.payload;
      group.segment = s.payload;
      open_.push_back(group);
    }
  }
}

uint32_t Coalescer::BuildSuperHeader(const WriteUnit& unit, const uint8_t* buffer, const uint32_t* offsets,
                                     const uint32_t* lengths, uint8_t* vnet, uint8_t* headers) const {
  const uint8_t* head = buffer + offsets[unit.first];
  Segment s;
  bool candidate = false;
  ParseTcp(head, lengths[unit.first], &s, &candidate);
  const uint32_t hl = s.ip_header_length + s.tcp_header_length;
  uint32_t total = hl;
  for (uint32_t k = unit.first; k != kNoPacket; k = next[k]) total += lengths[k] - hl;
  const uint32_t last = unit.last;
  std::memcpy(headers, head, hl);
  if (s.ipv6) {
    Store16(headers + 4, static_cast<uint16_t>(total - 40));
  } else {
    Store16(headers + 2, static_cast<uint16_t>(total));
    SetIpv4HeaderChecksum(headers, s.ip_header_length);
  }
  uint8_t* tcp = headers + s.ip_header_length;
  tcp[13] = static_cast<uint8_t>((tcp[13] & ~kTcpPsh) | (buffer[offsets[last] + s.ip_header_length + 13] & kTcpPsh));
  // CHECKSUM_PARTIAL: the field holds the pseudo-header sum; the kernel adds the rest per segment.
  StoreNative16(tcp + 16, ChecksumFold(PseudoHeaderSum(headers, s.ipv6, kProtocolTcp, total - s.ip_header_length)));
  VnetHeader header;
  header.flags = kNeedsChecksum;
  header.gso_type = s.ipv6 ? kGsoTcpV6 : kGsoTcpV4;
  header.hdr_len = static_cast<uint16_t>(hl);
  header.gso_size = static_cast<uint16_t>(s.payload);
  header.csum_start = static_cast<uint16_t>(s.ip_header_length);
  header.csum_offset = 16;
  WriteVnetHeader(header, vnet);
  return hl;
}

}  // namespace offload
