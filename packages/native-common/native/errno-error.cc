// Errno-carrying JS errors; names come from libuv so they match Node's own (EPERM, EBUSY...).
#include "errno-error.h"

#include <uv.h>

#include <cstring>

Napi::Error ErrnoError(Napi::Env env, int err, const char* syscall, const std::string& detail) {
  std::string message = std::string(uv_err_name(-err)) + ": " + std::strerror(err) + ", " + syscall;
  if (!detail.empty()) message += " " + detail;
  Napi::Error error = Napi::Error::New(env, message);
  error.Set("code", Napi::String::New(env, uv_err_name(-err)));
  error.Set("errno", Napi::Number::New(env, err));
  error.Set("syscall", Napi::String::New(env, syscall));
  return error;
}
