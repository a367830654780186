/**
 * @pathwire/random: one seeded pseudo-random generator (xoshiro128**) for the simulator,
 * tests and benchmarks, so a run replays exactly. See `Random` for a runnable example.
 */
export { Random } from './random.js';
