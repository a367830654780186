/** RTT changes without loss: a jump on the better path, and two near-equal jittery paths. */
import { CLIENT, FAULT_AT, ISP1, ISP2, twoIsp } from './base.js';

export const RTT_JUMP = twoIsp({
  name: 'rtt-jump',
  title: 'RTT of isp1 jumps from 20 to 150 ms',
  description:
    `At ${FAULT_AT / 1000} s isp1's RTT jumps to 150 ms (a reroute) and stays there; nothing is lost. ` +
    'Right answer: move to isp2 (30 ms) once the change is clearly lasting.',
  faults: [{ at: FAULT_AT, path: 'isp1', set: { rttMs: 150 } }],
});

export const NEAR_EQUAL = twoIsp(
  {
    name: 'near-equal-jitter',
    title: 'Two near-equal jittery paths',
    description:
      'isp1 30 ms and isp2 32 ms RTT, both with ±10 ms jitter each way, no fault. Right answer: stay ' +
      'on isp1 and do not flap between the two.',
    faults: [],
  },
  {
    paths: [
      { name: 'isp1', client: CLIENT, server: ISP1, link: { rttMs: 30, jitterMs: 10 } },
      { name: 'isp2', client: CLIENT, server: ISP2, link: { rttMs: 32, jitterMs: 10 } },
    ],
  },
);
