// setns(2)-based namespace scope, see netns.h.
#include "netns.h"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>

int NetnsScope::Enter(const std::string& path, const char** syscall) {
  if (path.empty()) return 0;
  int target = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (target < 0) {
    *syscall = "setns";  // reported as setns: the namespace itself is missing or forbidden
    return errno;
  }
  original_ = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  if (original_ < 0) {
    int err = errno;
    close(target);
    *syscall = "open";
    return err;
  }
  if (setns(target, CLONE_NEWNET) < 0) {
    int err = errno;
    close(target);
    *syscall = "setns";
    return err;
  }
  close(target);
  entered_ = true;
  return 0;
}

NetnsScope::~NetnsScope() {
  if (entered_ && setns(original_, CLONE_NEWNET) < 0) {
    std::perror("@pathwire/tun: cannot return to the original network namespace");
    std::abort();
  }
  if (original_ >= 0) close(original_);
}
