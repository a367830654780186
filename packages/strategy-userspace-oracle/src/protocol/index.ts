/**
 * @pathwire/strategy-userspace-oracle/protocol: the oracle socket's JSON Lines protocol (ORACLE.md),
 * pure and I/O-free: message types, a total request parser and the connection/lease state machine
 * the daemon's server drives. Shared by the daemon and `@pathwire/oracle-client`.
 *
 * @example
 * ```ts
 * import { parseRequest } from '@pathwire/strategy-userspace-oracle/protocol';
 * const result = parseRequest('{"id":1,"op":"select","peer":"x"}');
 * if (!result.ok) console.log(result.error.code, result.error.field); // BAD_FIELD peer
 * ```
 */
export {
  type ConnectionId,
  type HubEffect,
  type Lease,
  OracleHub,
  type OraclePeerView,
  type OracleWorld,
} from './hub.js';
export * from './messages.js';
export { type ParseResult, parseRequest, utf8Length } from './parse-request.js';
