// Errors thrown to JS by the addon: a plain Error carrying `code` ("EPERM"), `errno` (a
// positive number) and `syscall`, which the TypeScript layer turns into a TunError.
#pragma once
#include <napi.h>

Napi::Error ErrnoError(Napi::Env env, int err, const char* syscall, const std::string& detail = "");
