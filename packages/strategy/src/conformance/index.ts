/**
 * @pathwire/strategy/conformance: the scenarios every strategy must pass, usable from any test
 * runner.
 *
 * @example
 * ```ts
 * import { it } from 'vitest';
 * import { conformanceScenarios } from '@pathwire/strategy/conformance';
 * import { createMyStrategy } from './my-strategy.js';
 * for (const scenario of conformanceScenarios) it(scenario.name, () => scenario.run(createMyStrategy));
 * ```
 */
export { ConformanceFailure, type FakeEndpoint, FakeHost, seededRandom } from './fake-host.js';
export { type ConformanceScenario, conformanceScenarios } from './scenarios.js';
