/** IPv6 configured and preferred, but silently broken from the start. */
import { CLIENT, CLIENT_V6, ISP1, SERVER_V6, twoIsp } from './base.js';

export const IPV6_BROKEN = twoIsp(
  {
    name: 'ipv6-broken',
    title: 'IPv6 configured first but broken',
    description:
      'Both hosts have IPv6 and IPv4; the IPv6 endpoint is listed first and its path would be faster, ' +
      'but it drops everything from the start (a broken IPv6 route, no error). Right answer: connect over ' +
      'IPv4 without a long initial outage.',
    faults: [{ at: 0, path: 'v6', set: { blackhole: true } }],
  },
  {
    client: [{ name: 'eth0', addresses: [CLIENT, CLIENT_V6] }],
    server: [{ name: 'eth0', addresses: [ISP1, SERVER_V6] }],
    paths: [
      { name: 'v6', client: CLIENT_V6, server: SERVER_V6, link: { rttMs: 15, jitterMs: 1 } },
      { name: 'v4', client: CLIENT, server: ISP1, link: { rttMs: 20, jitterMs: 1 } },
    ],
    endpoints: [SERVER_V6, ISP1],
  },
);
