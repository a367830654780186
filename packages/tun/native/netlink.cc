// RTM_NEWADDR / RTM_NEWROUTE over a NETLINK_ROUTE socket (rtnetlink(7)); both are sent with
// NLM_F_CREATE | NLM_F_REPLACE so that repeating a setup step is harmless.
#include "netlink.h"

#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace {

struct Request {
  nlmsghdr header;
  union {
    ifaddrmsg address;
    rtmsg route;
  };
  char attributes[128];
};

void AddAttribute(Request* request, unsigned short type, const void* data, size_t length) {
  nlmsghdr* header = &request->header;
  size_t offset = NLMSG_ALIGN(header->nlmsg_len);
  rtattr* attribute = reinterpret_cast<rtattr*>(reinterpret_cast<char*>(request) + offset);
  attribute->rta_type = type;
  attribute->rta_len = RTA_LENGTH(length);
  std::memcpy(RTA_DATA(attribute), data, length);
  header->nlmsg_len = offset + RTA_ALIGN(attribute->rta_len);
}

uint32_t next_sequence = 0;

// Sends one request and waits for its acknowledgement.
int Transact(int fd, nlmsghdr* request) {
  request->nlmsg_seq = ++next_sequence;
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  if (sendto(fd, request, request->nlmsg_len, 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel) < 0)
    return errno;
  alignas(nlmsghdr) char reply[8192];
  for (;;) {
    ssize_t received = recv(fd, reply, sizeof reply, 0);
    if (received < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    int remaining = static_cast<int>(received);
    for (nlmsghdr* header = reinterpret_cast<nlmsghdr*>(reply); NLMSG_OK(header, remaining);
         header = NLMSG_NEXT(header, remaining)) {
      if (header->nlmsg_seq != request->nlmsg_seq) continue;
      if (header->nlmsg_type == NLMSG_ERROR) {
        const nlmsgerr* error = static_cast<const nlmsgerr*>(NLMSG_DATA(header));
        return -error->error;
      }
    }
  }
}

size_t AddressLength(int family) { return family == AF_INET6 ? 16 : 4; }

}  // namespace

int NetlinkAddAddress(int fd, int ifindex, int family, const uint8_t* address, int prefix_length) {
  Request request{};
  request.header.nlmsg_len = NLMSG_LENGTH(sizeof(ifaddrmsg));
  request.header.nlmsg_type = RTM_NEWADDR;
  request.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE;
  request.address.ifa_family = static_cast<unsigned char>(family);
  request.address.ifa_prefixlen = static_cast<unsigned char>(prefix_length);
  request.address.ifa_index = static_cast<unsigned>(ifindex);
  request.address.ifa_scope = RT_SCOPE_UNIVERSE;
  // A TUN is point-to-point: duplicate address detection has no one to ask and only delays use.
  if (family == AF_INET6) request.address.ifa_flags = IFA_F_NODAD;
  if (family == AF_INET) AddAttribute(&request, IFA_LOCAL, address, AddressLength(family));
  AddAttribute(&request, IFA_ADDRESS, address, AddressLength(family));
  return Transact(fd, &request.header);
}

int NetlinkAddRoute(int fd, int ifindex, int family, const uint8_t* destination, int prefix_length) {
  Request request{};
  request.header.nlmsg_len = NLMSG_LENGTH(sizeof(rtmsg));
  request.header.nlmsg_type = RTM_NEWROUTE;
  request.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE;
  request.route.rtm_family = static_cast<unsigned char>(family);
  request.route.rtm_dst_len = static_cast<unsigned char>(prefix_length);
  request.route.rtm_table = RT_TABLE_MAIN;
  request.route.rtm_protocol = RTPROT_BOOT;
  // As ip-route(8) does for a route with no gateway: link scope for IPv4, universe for IPv6.
  request.route.rtm_scope = family == AF_INET6 ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
  request.route.rtm_type = RTN_UNICAST;
  AddAttribute(&request, RTA_DST, destination, AddressLength(family));
  uint32_t oif = static_cast<uint32_t>(ifindex);
  AddAttribute(&request, RTA_OIF, &oif, sizeof oif);
  return Transact(fd, &request.header);
}
