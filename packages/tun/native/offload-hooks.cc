// The offload functions exposed to JS for unit tests on crafted packets (no TUN needed):
// what the read path makes of one read, and what the write path makes of one batch.
#include "offload-hooks.h"

#include <cstring>
#include <vector>

#include "offload.h"

namespace {

Napi::Uint8Array Copy(Napi::Env env, const uint8_t* bytes, size_t length) {
  Napi::Uint8Array array = Napi::Uint8Array::New(env, length);
  std::memcpy(array.Data(), bytes, length);
  return array;
}

// offloadRead(read: Uint8Array) => Uint8Array[] | null. `read` is a virtio_net_hdr and a
// packet, as read(2) returns them; the result, the packets delivered (null: dropped as malformed).
Napi::Value OffloadRead(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsTypedArray()) {
    Napi::TypeError::New(env, "offloadRead(read: Uint8Array)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Uint8Array input = info[0].As<Napi::Uint8Array>();
  if (input.ByteLength() < offload::kVnetHeaderLength) return env.Null();
  std::vector<uint8_t> packet(input.Data() + offload::kVnetHeaderLength, input.Data() + input.ByteLength());
  offload::VnetHeader header;
  offload::ReadVnetHeader(input.Data(), &header);
  Napi::Array result = Napi::Array::New(env);
  if (header.gso_type == offload::kGsoNone) {
    if ((header.flags & offload::kNeedsChecksum) != 0 &&
        !offload::CompletePartialChecksum(packet.data(), packet.size(), header.csum_start, header.csum_offset))
      return env.Null();
    result.Set(0u, Copy(env, packet.data(), packet.size()));
    return result;
  }
  offload::SuperPacket shape;
  if (!offload::ParseSuperPacket(packet.data(), packet.size(), header, &shape)) return env.Null();
  std::vector<uint8_t> out(shape.header_length + shape.segment_payload);
  for (uint32_t i = 0; i < shape.segments; i++) {
    uint32_t length = offload::SplitSegment(packet.data(), packet.size(), shape, i, out.data());
    result.Set(i, Copy(env, out.data(), length));
  }
  return result;
}

// offloadWrite(packets: Uint8Array[]) => Uint8Array[]: each write(2) the batch becomes, its
// virtio_net_hdr first.
Napi::Value OffloadWrite(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[0].IsArray()) {
    Napi::TypeError::New(env, "offloadWrite(packets: Uint8Array[])").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Array packets = info[0].As<Napi::Array>();
  std::vector<uint8_t> buffer;
  std::vector<uint32_t> offsets, lengths;
  for (uint32_t i = 0; i < packets.Length(); i++) {
    Napi::Uint8Array packet = packets.Get(i).As<Napi::Uint8Array>();
    offsets.push_back(static_cast<uint32_t>(buffer.size()));
    lengths.push_back(static_cast<uint32_t>(packet.ByteLength()));
    buffer.insert(buffer.end(), packet.Data(), packet.Data() + packet.ByteLength());
  }
  offload::Coalescer coalescer;
  coalescer.Plan(buffer.data(), offsets.data(), lengths.data(), static_cast<uint32_t>(offsets.size()));
  Napi::Array result = Napi::Array::New(env);
  uint32_t n = 0;
  for (const offload::WriteUnit& unit : coalescer.units) {
    std::vector<uint8_t> write(offload::kVnetHeaderLength, 0);
    if (unit.count == 1) {
      write.insert(write.end(), buffer.begin() + offsets[unit.first],
                   buffer.begin() + offsets[unit.first] + lengths[unit.first]);
    } else {
      uint8_t headers[offload::kMaxHeaders];
      uint32_t header_length =
          coalescer.BuildSuperHeader(unit, buffer.data(), offsets.data(), lengths.data(), write.data(), headers);
      write.insert(write.end(), headers, headers + header_length);
      for (uint32_t k = unit.first; k != offload::kNoPacket; k = coalescer.next[k]) {
        write.insert(write.end(), buffer.begin() + offsets[k] + header_length,
                     buffer.begin() + offsets[k] + lengths[k]);
      }
    }
    result.Set(n++, Copy(env, write.data(), write.size()));
  }
  return result;
}

}  // namespace

void ExportOffloadHooks(Napi::Env env, Napi::Object exports) {
  exports.Set("offloadRead", Napi::Function::New(env, OffloadRead, "offloadRead"));
  exports.Set("offloadWrite", Napi::Function::New(env, OffloadWrite, "offloadWrite"));
}
