/** NAT mappings on the standby path expire while it is idle; then the primary fails. */
import { ISP1_PATH, ISP2_PATH, twoIsp } from './base.js';

const NAT_TIMEOUT_MS = 8_000;
const FAIL_AT = 14_000;

export const NAT_EXPIRY = twoIsp(
  {
    name: 'nat-expiry',
    title: 'NAT mapping of the standby expired, then isp1 fails',
    description:
      `The client sits behind a NAT on both paths; a mapping lasts ${NAT_TIMEOUT_MS / 1000} s after the ` +
      `client's last datagram on that path, and the server's datagrams are dropped without one. At ${FAIL_AT / 1000} s, ` +
      "isp1 is blackholed: whatever kept isp2's mapping alive (or reopens it from the client side) decides " +
      'how long the outage is.',
    faults: [{ at: FAIL_AT, path: 'isp1', set: { blackhole: true } }],
  },
  {
    paths: [
      { ...ISP1_PATH, natTimeoutMs: NAT_TIMEOUT_MS },
      { ...ISP2_PATH, natTimeoutMs: NAT_TIMEOUT_MS },
    ],
  },
);
