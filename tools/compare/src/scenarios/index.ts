/**
 * Every scenario of the comparison, in report order. To add one: write its definition (see
 * README.md, "Adding a scenario") and list it here.
 */
import { UsageError } from '../errors.js';
import type { ScenarioDefinition } from '../scenario/types.js';
import { validateScenario } from '../scenario/validate.js';
import { BLACKHOLE, ONEWAY_DOWN, ONEWAY_UP } from './blackhole.js';
import { BULK_SHALLOW } from './bulk.js';
import { DNS_CHANGE } from './dns.js';
import { FLAPPING } from './flapping.js';
import { WIFI_LTE } from './handover.js';
import { HUB } from './hub.js';
import { IPV6_BROKEN } from './ipv6-broken.js';
import { NEAR_EQUAL, RTT_JUMP } from './latency.js';
import { LOSS_1, LOSS_5, LOSS_20, LOSS_50 } from './loss.js';
import { MTU_1280 } from './mtu.js';
import { NAT_EXPIRY } from './nat-expiry.js';

export const SCENARIOS: readonly ScenarioDefinition[] = [
  BLACKHOLE,
  ONEWAY_UP,
  ONEWAY_DOWN,
  LOSS_1,
  LOSS_5,
  LOSS_20,
  LOSS_50,
  RTT_JUMP,
  NEAR_EQUAL,
  FLAPPING,
  MTU_1280,
  IPV6_BROKEN,
  NAT_EXPIRY,
  WIFI_LTE,
  BULK_SHALLOW,
  DNS_CHANGE,
  HUB,
];

for (const scenario of SCENARIOS) validateScenario(scenario);

export function scenarioByName(name: string): ScenarioDefinition {
  const found = SCENARIOS.find((s) => s.name === name);
  if (!found) {
    throw new UsageError(`unknown scenario "${name}" (known: ${SCENARIOS.map((s) => s.name).join(', ')})`);
  }
  return found;
}
