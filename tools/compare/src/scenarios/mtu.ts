/** Big packets silently dropped on the better path; handshakes (small) still pass. */
import { FAULT_AT, twoIsp } from './base.js';

export const MTU_1280 = twoIsp(
  {
    name: 'mtu-1280',
    title: 'Datagrams over 1280 B dropped on isp1',
    description:
      `The probe stream carries 1400-byte packets. At ${FAULT_AT / 1000} s isp1 starts dropping datagrams ` +
      'larger than 1280 bytes (a route change through a smaller MTU, ICMP filtered): handshakes and ' +
      'keepalives still pass, data does not. Right answer: move to isp2.',
    faults: [{ at: FAULT_AT, path: 'isp1', set: { maxDatagram: 1280 } }],
  },
  { streamSize: 1400 },
);
