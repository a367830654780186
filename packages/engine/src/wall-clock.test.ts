/**
 * Engine time is monotonic; only TAI64N timestamps read the wall clock (DESIGN.md, "Time is
 * injected, and it is monotonic"). On virtual time with each side's wall clock stepped back or
 * forward by an hour mid-run, the tunnel must behave exactly as without the step: initiations
 * at the same moments (none delayed), every one accepted (none rejected as a replay or a
 * flood), no keypair used past REJECT_AFTER_TIME, nothing lost.
 */
import { deliveryRatio, Flow } from '@pathwire/netsim';
import { describe, expect, it } from 'vitest';
import { REJECT_AFTER_TIME } from './constants.js';
import { A_INNER, B_INNER, EPOCH, twoPeers } from './test-support/two-peers.js';
import { dataReceiver, TYPE_DATA, TYPE_INITIATION, TYPE_RESPONSE } from './test-support/wire-tap.js';

const HOUR = 3_600_000;

/** Two peers, flows both ways for 400 s (three rekeys); A's wall clock steps at 60 s, B's at 200 s. */
function run(step: number) {
  let offsetA = 0;
  let offsetB = 0;
  const world = twoPeers({
    seed: 11,
    bKnowsA: true,
    capture: true,
    wallClock: { a: (now) => EPOCH + now + offsetA, b: (now) => EPOCH + now + offsetB },
  });
  const { sim, a, b } = world;
  const flow = (from: typeof a, to: typeof b, src: string, dst: string, start: number) =>
    new Flow(sim, { from: from.handle, to: to.handle, rate: 20, size: 200, src, dst, start, stop: 400_000 });
  const ab = flow(a, b, A_INNER, B_INNER, 0);
  // B starts later: two sides whose first packets leave at the very same virtual instant both
  // initiate and supersede each other's handshake (as wireguard-go would), which is not the point here.
  const ba = flow(b, a, B_INNER, A_INNER, 500);
  sim.at(60_000, () => {
    offsetA = step;
  });
  sim.at(200_000, () => {
    offsetB = step;
  });
  sim.run(401_000);
  return { world, ab, ba };
}

describe('a wall-clock step changes nothing in the engine', () => {
  const control = run(0);
  const times = (side: typeof control.world.a, type: number) =>
    side.wire.select('out', type).map((entry) => entry.time);

  for (const [name, step] of [
    ['back', -HOUR],
    ['forward', HOUR],
  ] as const) {
    it(`one hour ${name} on either side: initiations on time and accepted, keys retired on time, nothing lost`, () => {
      const { world, ab, ba } = run(step);
      const { a, b } = world;
      // Not delayed: the same initiations at the same moments as without a step.
      expect(times(a, TYPE_INITIATION)).toEqual(times(control.world.a, TYPE_INITIATION));
      expect(times(b, TYPE_INITIATION)).toEqual(times(control.world.b, TYPE_INITIATION));
      expect(times(a, TYPE_INITIATION).length).toBeGreaterThanOrEqual(4);
      // Accepted: every initiation answered, none rejected (a timestamp that went back would be
      // a replay to the responder; an engine on the wall clock would see a flood).
      expect(b.wire.select('out', TYPE_RESPONSE).length + a.wire.select('out', TYPE_RESPONSE).length).toBe(
        a.wire.select('out', TYPE_INITIATION).length + b.wire.select('out', TYPE_INITIATION).length,
      );
      for (const side of [a, b]) expect(side.device.counters.drops['handshake-rejected']).toBeUndefined();
      // No keypair outlives REJECT_AFTER_TIME: each receiver index carries data for less than that.
      for (const side of [a, b]) {
        const spans = new Map<number, { first: number; last: number }>();
        for (const entry of side.wire.select('out', TYPE_DATA)) {
          const index = dataReceiver(entry.bytes!)!;
          const span = spans.get(index) ?? { first: entry.time, last: entry.time };
          span.last = entry.time;
          spans.set(index, span);
        }
        expect(spans.size).toBeGreaterThanOrEqual(3);
        for (const span of spans.values()) expect(span.last - span.first).toBeLessThan(REJECT_AFTER_TIME);
        expect(side.device.counters.drops['expired-keypair']).toBeUndefined();
      }
      expect(deliveryRatio(ab.records)).toBe(1);
      expect(deliveryRatio(ba.records)).toBe(1);
    });
  }
});
