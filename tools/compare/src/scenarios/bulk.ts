/** A download fills isp1's shallow buffer: queueing delay and tail drops that are our own doing. */
import { CLIENT, FAULT_AT, ISP1, ISP2, twoIsp } from './base.js';

export const BULK_SHALLOW = twoIsp(
  {
    name: 'bulk-shallow-buffer',
    title: 'Bulk download into a shallow buffer',
    description:
      'Both paths are 2 Mbit/s with a 20 ms buffer (isp1 20 ms RTT, isp2 30 ms). A download at 2.4 Mbit/s ' +
      `runs from ${FAULT_AT / 1000} s to 12 s and from 14 to 18 s: the buffer fills, RTT grows and the tail ` +
      'is dropped, on whichever path the tunnel uses. Right answer: do not fail over (isp2 would be no ' +
      'better and the switch costs a handshake).',
    faults: [],
  },
  {
    paths: [
      {
        name: 'isp1',
        client: CLIENT,
        server: ISP1,
        link: { rttMs: 20, jitterMs: 1, rateMbps: 2, bufferMs: 20 },
      },
      {
        name: 'isp2',
        client: CLIENT,
        server: ISP2,
        link: { rttMs: 30, jitterMs: 1, rateMbps: 2, bufferMs: 20 },
      },
    ],
    load: {
      rateMbps: 2.4,
      size: 1200,
      direction: 'down',
      windows: [
        [FAULT_AT, 12_000],
        [14_000, 18_000],
      ],
    },
  },
);
