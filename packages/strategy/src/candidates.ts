/**
 * Helpers strategies share to read their context: usable candidates in order, and the best
 * endpoint by measured round-trip time.
 */
import type { EndpointView } from './v1/endpoint-view.js';
import type { StrategyContext } from './v1/strategy.js';

/** Endpoints worth trying now: not failing to send (at most `maxSendErrors` errors since the last receive), in candidate order. */
export function usableCandidates(context: StrategyContext, maxSendErrors = 0): EndpointView[] {
  return context.endpoints.filter((endpoint) => endpoint.sendErrors <= maxSendErrors);
}

/** The endpoint with the lowest smoothed RTT among those measured, or undefined. */
export function lowestRtt(endpoints: readonly EndpointView[]): EndpointView | undefined {
  let best: EndpointView | undefined;
  for (const endpoint of endpoints) {
    if (!endpoint.rtt) continue;
    if (!best?.rtt || endpoint.rtt.smoothed < best.rtt.smoothed) best = endpoint;
  }
  return best;
}
