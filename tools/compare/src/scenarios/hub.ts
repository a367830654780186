/** A hub with many peers, all losing the hub's better ISP at once. */
import { FAULT_AT, twoIsp } from './base.js';

const CLIENTS = 6;
/** Shorter than the others: every client carries its own probe stream. */
const HUB_DURATION_MS = 12_000;

export const HUB = twoIsp(
  {
    name: 'hub',
    title: `A hub with ${CLIENTS} peers loses isp1`,
    description:
      `${CLIENTS} clients each reach a multi-homed hub over isp1 and isp2, each with its own probe stream. ` +
      `At ${FAULT_AT / 1000} s the hub's isp1 is blackholed for everyone: every peer fails over at once ` +
      '(handshake load on the hub). Metrics are over all clients: the worst outage, mean excess RTT, summed ' +
      'counts.',
    faults: [{ at: FAULT_AT, path: 'isp1', set: { blackhole: true } }],
  },
  { clients: CLIENTS, durationMs: HUB_DURATION_MS },
);
