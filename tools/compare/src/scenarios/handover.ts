/** Wi-Fi degrades then disappears; LTE carries on (one server address, two client interfaces). */
import { FAULT_AT, ISP1, twoIsp } from './base.js';

const WIFI = '192.0.2.10';
const LTE = '192.0.2.20';

export const WIFI_LTE = twoIsp(
  {
    name: 'wifi-lte',
    title: 'Wi-Fi → LTE handover',
    description:
      `The client has Wi-Fi (20 ms) and LTE (60 ms ± 5 ms); the server one address. At ${FAULT_AT / 1000} s ` +
      `Wi-Fi loses 30 % of packets, at ${(FAULT_AT + 3_000) / 1000} s the Wi-Fi interface goes down. Right ` +
      'answer: carry on over LTE as soon as Wi-Fi is gone (the server must follow the new source: roaming).',
    faults: [
      { at: FAULT_AT, path: 'wifi', set: { loss: 0.3 } },
      { at: FAULT_AT + 3_000, iface: 'wlan0', up: false },
    ],
  },
  {
    client: [
      { name: 'wlan0', addresses: [WIFI] },
      { name: 'lte0', addresses: [LTE] },
    ],
    server: [{ name: 'eth0', addresses: [ISP1] }],
    paths: [
      { name: 'wifi', client: WIFI, server: ISP1, link: { rttMs: 20, jitterMs: 2 } },
      { name: 'lte', client: LTE, server: ISP1, link: { rttMs: 60, jitterMs: 5 } },
    ],
    endpoints: [ISP1],
  },
);
