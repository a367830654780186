// Runs setup code with the calling thread inside another network namespace (setns(2)), then
// returns to the original one. Descriptors created inside (the TUN, a netlink socket) keep
// belonging to the namespace they were created in.
#pragma once
#include <string>

class NetnsScope {
 public:
  // Enters `path` (e.g. /var/run/netns/foo); an empty path means "stay where we are".
  // Returns 0 or an errno; `syscall` names the call that failed.
  int Enter(const std::string& path, const char** syscall);
  // Returns to the original namespace; aborts the process if that is impossible, since the
  // main thread must not keep running in the wrong namespace.
  ~NetnsScope();

 private:
  int original_ = -1;
  bool entered_ = false;
};
