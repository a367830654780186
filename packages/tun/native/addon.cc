// Module entry point of @pathwire/tun's addon: exports the TunDevice class and the offload test hooks.
#include <napi.h>

#include "offload-hooks.h"
#include "tun-device.h"

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("TunDevice", TunDevice::Define(env));
  ExportOffloadHooks(env, exports);
  return exports;
}

NODE_API_MODULE(pathwire_tun, Init)
