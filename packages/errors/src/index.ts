/**
 * @pathwire/errors: the base of every pathwire error (`PathwireError`, stable `code`,
 * cross-copy `isInstance`). See `PathwireError` for a runnable example.
 */
export { PathwireError, type PathwireErrorOptions } from './pathwire-error.js';
