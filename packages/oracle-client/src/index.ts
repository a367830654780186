/**
 * @pathwire/oracle-client: a typed Node client for pathwire's oracle socket
 * (`/var/run/pathwire/IFACE.oracle`, see apps/pathwired/ORACLE.md).
 *
 * @example
 * ```ts
 * import { OracleClient } from '@pathwire/oracle-client';
 * const oracle = await OracleClient.connect({ iface: 'wg0', role: 'writer' });
 * await oracle.select(peerPublicKey, '[2001:db8::1]:51820', { leaseMs: 30_000, mode: 'prefer' });
 * ```
 */

export type {
  EndpointSnapshot,
  OracleEvent,
  PeerSnapshot,
  Role,
  SelectMode,
} from '@pathwire/strategy-userspace-oracle/protocol';
export {
  OracleClient,
  type OracleClientOptions,
  OracleRequestError,
  type ReceivedEvent,
  SnapshotAssembler,
  socketPath,
} from './client.js';
export { EventQueue } from './event-queue.js';
