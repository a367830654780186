/** Silent blackholes of the better path: both ways, or one way only (each way). */
import type { Direction } from '../scenario/types.js';
import { FAULT_AT, twoIsp } from './base.js';

const blackhole = (name: string, direction: Direction, what: string) =>
  twoIsp({
    name,
    title: `Silent blackhole of isp1${direction === 'both' ? '' : ` (${what} only)`}`,
    description:
      `At ${FAULT_AT / 1000} s isp1 silently drops every packet ${what} for the rest of the run ` +
      '(no ICMP, no send error). Right answer: move to isp2 as fast as the failure can be told apart ' +
      'from a quiet moment.',
    faults: [{ at: FAULT_AT, path: 'isp1', direction, set: { blackhole: true } }],
  });

export const BLACKHOLE = blackhole('blackhole', 'both', 'both ways');
export const ONEWAY_UP = blackhole('oneway-up', 'up', 'from the client to the server');
export const ONEWAY_DOWN = blackhole('oneway-down', 'down', 'from the server to the client');
