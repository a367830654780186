/** Bursty loss on the better path: 2 s bursts every 4 s at 1, 5, 20 or 50 % loss. */
import type { FaultSpec } from '../scenario/types.js';
import { DURATION_MS, FAULT_AT, twoIsp } from './base.js';

const BURST_MS = 2_000;
const PERIOD_MS = 4_000;

function bursts(loss: number): FaultSpec[] {
  const faults: FaultSpec[] = [];
  for (let at = FAULT_AT; at + BURST_MS <= DURATION_MS; at += PERIOD_MS) {
    faults.push({ at, path: 'isp1', set: { loss } });
    faults.push({ at: at + BURST_MS, path: 'isp1', set: { loss: 0 } });
  }
  return faults;
}

const lossy = (percent: number) =>
  twoIsp({
    name: `loss-${percent}`,
    title: `Bursty loss ${percent} % on isp1`,
    description:
      `From ${FAULT_AT / 1000} s, isp1 loses ${percent} % of packets each way in ${BURST_MS / 1000} s bursts ` +
      `every ${PERIOD_MS / 1000} s. Ground truth weighs 1 % loss each way like 5 ms of RTT: at 1 % isp1 stays best ` +
      '(staying is right); from 5 % isp2 is better during the bursts.',
    faults: bursts(percent / 100),
  });

export const LOSS_1 = lossy(1);
export const LOSS_5 = lossy(5);
export const LOSS_20 = lossy(20);
export const LOSS_50 = lossy(50);
