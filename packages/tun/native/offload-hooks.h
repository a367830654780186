// Test hooks for offload.h: offloadRead and offloadWrite on the module's exports.
#pragma once
#include <napi.h>

void ExportOffloadHooks(Napi::Env env, Napi::Object exports);
