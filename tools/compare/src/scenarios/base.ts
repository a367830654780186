/**
 * The topology most scenarios share: a client with one address and a multi-homed server reached
 * through two ISPs, `isp1` (20 ms RTT, the better one) and `isp2` (30 ms). Faults start at
 * `FAULT_AT`, after the tunnel is up.
 */
import type { PathDef, ScenarioDefinition } from '../scenario/types.js';

export const CLIENT = '192.0.2.10';
export const CLIENT_V6 = '2001:db8:c::10';
export const ISP1 = '198.51.100.1';
export const ISP2 = '203.0.113.1';
export const SERVER_V6 = '2001:db8:5::1';

/** Length of a run, ms: long enough for each strategy's recovery, short enough for the sweep's goal. */
export const DURATION_MS = 20_000;
/** When the first fault strikes, ms. */
export const FAULT_AT = 5_000;

export const ISP1_PATH: PathDef = {
  name: 'isp1',
  client: CLIENT,
  server: ISP1,
  link: { rttMs: 20, jitterMs: 1 },
};
export const ISP2_PATH: PathDef = {
  name: 'isp2',
  client: CLIENT,
  server: ISP2,
  link: { rttMs: 30, jitterMs: 1 },
};

type Described = Pick<ScenarioDefinition, 'name' | 'title' | 'description' | 'faults'>;

/** A scenario on the two-ISP topology; `over` replaces any field. */
export function twoIsp(described: Described, over: Partial<ScenarioDefinition> = {}): ScenarioDefinition {
  return {
    durationMs: DURATION_MS,
    client: [{ name: 'eth0', addresses: [CLIENT] }],
    server: [{ name: 'eth0', addresses: [ISP1, ISP2] }],
    paths: [ISP1_PATH, ISP2_PATH],
    endpoints: [ISP1, ISP2],
    ...described,
    ...over,
  };
}
