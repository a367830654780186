// Module entry point of @pathwire/tun's addon: exports the TunDevice class.
#include <napi.h>

#include "tun-device.h"

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("TunDevice", TunDevice::Define(env));
  return exports;
}

NODE_API_MODULE(pathwire_tun, Init)
