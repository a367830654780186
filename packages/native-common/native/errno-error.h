// Errors thrown to JS by the pathwire addons (@pathwire/tun, @pathwire/udp): a plain Error
// carrying `code` ("EPERM"), `errno` (a positive number) and `syscall`, which each package's
// TypeScript layer turns into its own error (TunError, UdpError).
#pragma once
#include <napi.h>

#include <string>

Napi::Error ErrnoError(Napi::Env env, int err, const char* syscall, const std::string& detail = "");
