/** The server moves: its old address dies and the hostname's records change. */
import { FAULT_AT, ISP1, ISP1_PATH, ISP2, ISP2_PATH, twoIsp } from './base.js';

const TTL_MS = 10_000;

export const DNS_CHANGE = twoIsp(
  {
    name: 'dns-change',
    title: 'Server moves, DNS records change (TTL 10 s)',
    description:
      `The client knows the server by a hostname (TTL ${TTL_MS / 1000} s) that resolves to ${ISP1}. At ` +
      `${FAULT_AT / 1000} s that address stops answering and the records change to ${ISP2}. Right answer: ` +
      'follow the new record at the next lookup. Stock WireGuard resolves only at start-up; ' +
      'reresolve-dns.sh only after 135 s without a handshake.',
    faults: [
      { at: FAULT_AT, path: 'isp1', set: { blackhole: true } },
      { at: FAULT_AT, dns: [ISP2] },
    ],
  },
  {
    paths: [ISP1_PATH, { ...ISP2_PATH, link: { rttMs: 25, jitterMs: 1 } }],
    endpoints: [ISP1],
    dns: { ttlMs: TTL_MS },
  },
);
