// rtnetlink requests for setup (not the packet path): add an address or a route to an
// interface. Each returns 0 or a positive errno from the kernel's acknowledgement.
#pragma once
#include <cstdint>

int NetlinkAddAddress(int netlink_fd, int ifindex, int family, const uint8_t* address, int prefix_length);
int NetlinkAddRoute(int netlink_fd, int ifindex, int family, const uint8_t* destination, int prefix_length);
