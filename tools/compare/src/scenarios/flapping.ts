/** isp1 going on and off with stretches of 2 to 5 s. */
import type { FaultSpec } from '../scenario/types.js';
import { FAULT_AT, twoIsp } from './base.js';

/** [down for, up for] in ms, from FAULT_AT on. */
const PATTERN: readonly (readonly [number, number])[] = [
  [2_000, 3_000],
  [5_000, 2_000],
  [2_000, 2_000],
];

function flaps(): FaultSpec[] {
  const faults: FaultSpec[] = [];
  let at = FAULT_AT;
  for (const [down, up] of PATTERN) {
    faults.push({ at, path: 'isp1', set: { blackhole: true } });
    faults.push({ at: at + down, path: 'isp1', set: { blackhole: false } });
    at += down + up;
  }
  return faults;
}

export const FLAPPING = twoIsp({
  name: 'flapping',
  title: 'isp1 flapping on and off (2–5 s)',
  description:
    `From ${FAULT_AT / 1000} s isp1 is blackholed for 2 s, back for 3 s, blackholed for 5 s, back for 2 s, ` +
    'blackholed for 2 s, then stays up. Right answer: leave quickly each time, come back only when it is ' +
    'back, without paying an outage for every flap.',
  faults: flaps(),
});
