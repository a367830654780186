// Module entry point of @pathwire/udp's addon: exports the UdpSocket class.
#include <napi.h>

#include "udp-socket.h"

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("UdpSocket", UdpSocket::Define(env));
  return exports;
}

NODE_API_MODULE(pathwire_udp, Init)
